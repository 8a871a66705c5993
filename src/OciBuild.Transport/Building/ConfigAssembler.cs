using System.Text.Json;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Building;

/// <summary>
/// Builds the new image's config from the base image's. Everything the settings do not override is
/// kept (health check, stop signal, volumes, other labels and variables). The new layers' diff IDs are
/// appended, and each new layer gets a history entry, so history and layers stay in step.
/// </summary>
public static class ConfigAssembler
{
    // The value of an ExposedPorts entry, which the spec defines as an empty object. Parsed once, so that
    // no serializer metadata is built for it.
    private static readonly JsonElement EmptyObject = ParseEmptyObject();

    public static ImageConfig Assemble(ImageConfig baseConfig, ImageSettings settings, IReadOnlyList<NewLayer> layers)
    {
        // Round-trip through JSON so that the base image's object is never changed under its owner.
        var config = OciJson.Deserialize<ImageConfig>(OciJson.Serialize(baseConfig), "base image config");
        var container = config.Config ??= new ContainerConfig();

        config.Created = settings.Created;
        if (settings.Entrypoint is not null)
        {
            container.Entrypoint = settings.Entrypoint.ToList();
            container.Cmd = settings.Cmd?.ToList();
        }
        else if (settings.Cmd is not null)
        {
            container.Cmd = settings.Cmd.ToList();
        }

        if (settings.WorkingDirectory is not null)
        {
            container.WorkingDir = settings.WorkingDirectory;
        }

        if (settings.User is not null)
        {
            container.User = settings.User;
        }
        else if (settings.UseAppUidAsDefaultUser && container.GetEnvironmentVariable("APP_UID") is { Length: > 0 } appUid)
        {
            container.User = appUid;
        }

        foreach (var (name, value) in settings.EnvironmentVariables)
        {
            container.SetEnvironmentVariable(name, value);
        }

        if (settings.Labels.Count > 0)
        {
            container.Labels ??= [];
            foreach (var (name, value) in settings.Labels)
            {
                container.Labels[name] = value;
            }
        }

        foreach (string port in settings.ExposedPorts)
        {
            container.ExposedPorts ??= [];
            container.ExposedPorts[NormalizePort(port)] = EmptyObject;
        }

        config.History ??= [];
        foreach (var layer in layers)
        {
            config.RootFs.DiffIds.Add(layer.Layer.DiffId);
            config.History.Add(new HistoryEntry { Created = settings.Created, CreatedBy = settings.CreatedBy, Comment = layer.Comment });
        }

        return config;
    }

    /// <summary>Returns <c>PORT/PROTOCOL</c>, accepting a bare port number as TCP.</summary>
    public static string NormalizePort(string port)
    {
        string[] parts = port.Trim().Split('/');
        string protocol = parts.Length > 1 ? parts[1].ToLowerInvariant() : "tcp";
        if (parts.Length > 2 || !int.TryParse(parts[0], out int number) || number is < 1 or > 65535 || protocol is not ("tcp" or "udp" or "sctp"))
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"invalid port \"{port}\": expected a number from 1 to 65535 with an optional /tcp, /udp or /sctp");
        }

        return $"{number}/{protocol}";
    }

    private static JsonElement ParseEmptyObject()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }
}
