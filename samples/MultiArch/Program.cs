using System.Runtime.InteropServices;

// The image sets MULTIARCH_GREETING through an OciEnvironmentVariable item in MultiArch.csproj.
string greeting = Environment.GetEnvironmentVariable("MULTIARCH_GREETING") ?? "(MULTIARCH_GREETING is not set)";
Console.WriteLine(greeting);
Console.WriteLine($"MultiArch runs on {RuntimeInformation.RuntimeIdentifier} ({RuntimeInformation.ProcessArchitecture})");
