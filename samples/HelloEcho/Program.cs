// The image sets HELLOECHO_NAME through an OciEnvironmentVariable item in HelloEcho.csproj.
string name = Environment.GetEnvironmentVariable("HELLOECHO_NAME") ?? "(HELLOECHO_NAME is not set)";
for (int i = 0; i < 10; i++)
{
    Console.WriteLine($"This is a new container named {name} [ {i} ]");
}
