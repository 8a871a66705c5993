using OciBuild.Core.Errors;
using Tomlyn;
using Tomlyn.Model;

namespace OciBuild.Transport.Configuration;

/// <summary>
/// The registries.conf settings that OciBuild uses: <c>[[registry]]</c> entries (<c>insecure</c>,
/// <c>blocked</c>, <c>location</c>), <c>unqualified-search-registries</c> and <c>[aliases]</c>, as
/// containers-registries.conf(5) defines them for the v2 format; the v1 table
/// <c>[registries.insecure]</c> is read too.
/// </summary>
public sealed class RegistriesConfiguration
{
    /// <summary>Names one registries.conf file to read instead of the user's and the system's, for tests and CI.</summary>
    public const string PathVariable = "OCIBUILD_REGISTRIES_CONF";

    /// <summary>The variable that skopeo, buildah and podman read for the same purpose; <see cref="PathVariable"/> wins when both are set.</summary>
    public const string ContainersPathVariable = "CONTAINERS_REGISTRIES_CONF";

    public const string SystemPath = "/etc/containers/registries.conf";

    private readonly List<RegistryEntry> _registries = [];
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly List<string> _files = [];

    public static RegistriesConfiguration Empty => new();

    /// <summary>Every file read, main file first, then the drop-ins in the order they were applied.</summary>
    public IReadOnlyList<string> Files => _files;

    public IReadOnlyList<RegistryEntry> Registries => _registries;

    /// <summary>The registries tried in order for a name without a registry; empty when none is set.</summary>
    public IReadOnlyList<string> UnqualifiedSearchRegistries { get; private set; } = [];

    /// <summary>Short names and the fully qualified repositories they stand for, without tags.</summary>
    public IReadOnlyDictionary<string, string> Aliases => _aliases;

    /// <summary>
    /// Reads <c>$OCIBUILD_REGISTRIES_CONF</c> or <c>$CONTAINERS_REGISTRIES_CONF</c> when set, else <c>~/.config/containers/registries.conf</c>
    /// when it exists, else <c>/etc/containers/registries.conf</c>; then the <c>*.conf</c> drop-ins of the
    /// <c>registries.conf.d</c> folder beside the system file and beside the user's (or beside the
    /// overriding file), in name order, each replacing what it sets.
    /// </summary>
    public static RegistriesConfiguration Load(UserEnvironment environment)
    {
        var configuration = new RegistriesConfiguration();
        string userPath = Path.Combine(environment.GetVariable("XDG_CONFIG_HOME") ?? Path.Combine(environment.HomeDirectory, ".config"), "containers", "registries.conf");
        string[] dropInFolders;
        if ((environment.GetVariable(PathVariable) ?? environment.GetVariable(ContainersPathVariable)) is { } overridden)
        {
            configuration.ReadFile(overridden);
            dropInFolders = [overridden + ".d"];
        }
        else
        {
            configuration.ReadFile(File.Exists(userPath) ? userPath : SystemPath);
            dropInFolders = [SystemPath + ".d", userPath + ".d"];
        }

        foreach (string folder in dropInFolders.Where(Directory.Exists))
        {
            foreach (string file in Directory.EnumerateFiles(folder, "*.conf").Order(StringComparer.Ordinal))
            {
                configuration.ReadFile(file);
            }
        }

        return configuration;
    }

    /// <summary>Parses one file's text as if it were the only file, for tests and callers with their own text.</summary>
    public static RegistriesConfiguration Parse(string text, string path = "registries.conf")
    {
        var configuration = new RegistriesConfiguration();
        configuration.Apply(ParseTable(text, path), path);
        return configuration;
    }

    /// <summary>Returns the entry with the longest prefix that matches <paramref name="reference"/>, or null.</summary>
    public RegistryEntry? FindRegistry(string reference)
        => _registries.Where(entry => entry.Matches(reference)).MaxBy(entry => entry.Prefix.Length);

    /// <summary>Returns true when registries.conf marks <paramref name="registry"/> insecure: plain HTTP and unverified TLS allowed.</summary>
    public bool IsInsecure(string registry) => FindRegistry(registry)?.Insecure ?? false;

    private void ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        Apply(ParseTable(File.ReadAllText(path), path), path);
        _files.Add(path);
    }

    private static TomlTable ParseTable(string text, string path)
    {
        try
        {
            return TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable();
        }
        catch (TomlException e)
        {
            throw new OciException(ErrorCodes.RegistriesConfInvalid, $"registries configuration {path} is not valid TOML: {e.Message}", e);
        }
    }

    private void Apply(TomlTable table, string path)
    {
        if (table.TryGetValue("unqualified-search-registries", out object? search))
        {
            UnqualifiedSearchRegistries = Strings(search, "unqualified-search-registries", path);
        }

        if (table.TryGetValue("aliases", out object? aliases) && aliases is TomlTable aliasTable)
        {
            foreach (var (name, value) in aliasTable)
            {
                // An empty value removes an alias that an earlier file set.
                if (value is string target && target.Length > 0)
                {
                    _aliases[name] = target;
                }
                else
                {
                    _aliases.Remove(name);
                }
            }
        }

        if (table.TryGetValue("registry", out object? registries))
        {
            if (registries is not TomlTableArray entries)
            {
                throw Invalid(path, "[[registry]] must be an array of tables");
            }

            foreach (var entry in entries)
            {
                AddOrReplace(ReadEntry(entry, path));
            }
        }

        // The v1 format lists insecure registries by name.
        if (table.TryGetValue("registries", out object? v1) && v1 is TomlTable v1Table
            && v1Table.TryGetValue("insecure", out object? insecure) && insecure is TomlTable insecureTable
            && insecureTable.TryGetValue("registries", out object? names))
        {
            foreach (string name in Strings(names, "registries.insecure.registries", path))
            {
                AddOrReplace(new RegistryEntry(name, name, Insecure: true, Blocked: false));
            }
        }
    }

    private void AddOrReplace(RegistryEntry entry)
    {
        _registries.RemoveAll(existing => existing.Prefix.Equals(entry.Prefix, StringComparison.OrdinalIgnoreCase));
        _registries.Add(entry);
    }

    private static RegistryEntry ReadEntry(TomlTable entry, string path)
    {
        string? location = entry.TryGetValue("location", out object? l) ? l as string : null;
        string? prefix = entry.TryGetValue("prefix", out object? p) ? p as string : null;
        if (string.IsNullOrEmpty(location) && string.IsNullOrEmpty(prefix))
        {
            throw Invalid(path, "a [[registry]] table needs a location or a prefix");
        }

        bool insecure = entry.TryGetValue("insecure", out object? i) && i is true;
        bool blocked = entry.TryGetValue("blocked", out object? b) && b is true;
        return new RegistryEntry(prefix ?? location!, location ?? prefix!, insecure, blocked);
    }

    private static List<string> Strings(object? value, string key, string path)
    {
        if (value is not TomlArray array || array.Any(item => item is not string))
        {
            throw Invalid(path, $"{key} must be an array of strings");
        }

        return array.Cast<string>().ToList();
    }

    private static OciException Invalid(string path, string problem)
        => new(ErrorCodes.RegistriesConfInvalid, $"registries configuration {path}: {problem}");
}
