using System.Globalization;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Runtime;

/// <summary>
/// The numeric identity a container process runs as, resolved from a <c>user[:group]</c> string
/// against the rootfs's <c>/etc/passwd</c> and <c>/etc/group</c> the way container engines do.
/// </summary>
internal sealed record ContainerUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids)
{
    /// <summary>
    /// Resolves <paramref name="user"/> (<c>uid</c>, <c>uid:gid</c>, <c>name</c>, <c>name:group</c>,
    /// or null/empty for root). A numeric uid needs no passwd entry. Without a group, the gid is the
    /// passwd entry's primary group, or 0 when there is no entry. Supplementary groups are the
    /// groups in <c>/etc/group</c> that list the user's name as a member.
    /// </summary>
    public static ContainerUser Resolve(string rootfsPath, string? user)
    {
        string spec = string.IsNullOrEmpty(user) ? "0" : user;
        int colon = spec.IndexOf(':');
        string userPart = colon < 0 ? spec : spec[..colon];
        string? groupPart = colon < 0 ? null : spec[(colon + 1)..];
        if (userPart.Length == 0 || groupPart is { Length: 0 })
        {
            throw Invalid(spec, "expected uid, uid:gid, name or name:group");
        }

        List<string[]> passwd = ReadDatabase(rootfsPath, "/etc/passwd", fieldCount: 7);
        uint uid;
        string[]? entry;
        if (TryParseId(userPart, out uid))
        {
            entry = passwd.FirstOrDefault(fields => TryParseId(fields[2], out uint entryUid) && entryUid == uid);
        }
        else
        {
            entry = passwd.FirstOrDefault(fields => fields[0] == userPart)
                    ?? throw Invalid(spec, $"no user named \"{userPart}\" in the image's /etc/passwd; use a numeric uid or add the user to the image");
            if (!TryParseId(entry[2], out uid))
            {
                throw Invalid(spec, $"the image's /etc/passwd gives \"{userPart}\" the invalid uid \"{entry[2]}\"");
            }
        }

        List<string[]> groups = ReadDatabase(rootfsPath, "/etc/group", fieldCount: 4);
        uint gid = 0;
        if (groupPart is not null)
        {
            gid = ResolveGroup(spec, groupPart, groups);
        }
        else if (entry is not null && !TryParseId(entry[3], out gid))
        {
            throw Invalid(spec, $"the image's /etc/passwd gives \"{userPart}\" the invalid gid \"{entry[3]}\"");
        }

        var additionalGids = new List<uint>();
        if (entry is not null)
        {
            string name = entry[0];
            foreach (string[] group in groups)
            {
                bool isMember = group[3].Split(',').Contains(name, StringComparer.Ordinal);
                if (isMember && TryParseId(group[2], out uint memberGid) && memberGid != gid && !additionalGids.Contains(memberGid))
                {
                    additionalGids.Add(memberGid);
                }
            }
        }

        return new ContainerUser(uid, gid, additionalGids);
    }

    private static uint ResolveGroup(string spec, string groupPart, List<string[]> groups)
    {
        if (TryParseId(groupPart, out uint gid))
        {
            return gid;
        }

        string[]? group = groups.FirstOrDefault(fields => fields[0] == groupPart);
        if (group is null)
        {
            throw Invalid(spec, $"no group named \"{groupPart}\" in the image's /etc/group; use a numeric gid or add the group to the image");
        }

        if (!TryParseId(group[2], out gid))
        {
            throw Invalid(spec, $"the image's /etc/group gives \"{groupPart}\" the invalid gid \"{group[2]}\"");
        }

        return gid;
    }

    /// <summary>
    /// Reads a colon-separated database such as <c>/etc/passwd</c>, skipping comments and lines with
    /// too few fields. A missing file is an empty database, as in images that have no users.
    /// </summary>
    private static List<string[]> ReadDatabase(string rootfsPath, string containerPath, int fieldCount)
    {
        try
        {
            string hostPath = RootfsPath.Resolve(rootfsPath, containerPath);
            if (!File.Exists(hostPath))
            {
                return [];
            }

            return File.ReadLines(hostPath)
                .Where(line => line.Length > 0 && !line.StartsWith('#'))
                .Select(line => line.Split(':'))
                .Where(fields => fields.Length >= fieldCount)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OciException(ErrorCodes.InvalidArgument,
                $"cannot read the image's {containerPath} to look up a user or group: {e.Message}; use a numeric uid:gid instead", e);
        }
    }

    private static bool TryParseId(string text, out uint id) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static OciException Invalid(string spec, string reason) =>
        new(ErrorCodes.InvalidArgument, $"invalid user \"{spec}\": {reason}");
}
