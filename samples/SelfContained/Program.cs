// Prints where its runtime comes from: inside the image, from /app, because the base image has none.
Console.WriteLine($"SelfContained runs .NET {Environment.Version} from {Path.GetDirectoryName(typeof(object).Assembly.Location)}");
