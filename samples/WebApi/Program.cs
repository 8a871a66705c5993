// A minimal API whose /health endpoint the integration tests fetch from the running container.
var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();

app.MapGet("/health", () => Results.Text("healthy"));

app.Run();
