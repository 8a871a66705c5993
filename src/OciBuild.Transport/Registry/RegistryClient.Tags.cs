using System.Net;
using System.Text.Json;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Registry;

public sealed partial class RegistryClient
{
    /// <summary>Lists a repository's tags, following the <c>Link</c> header across pages.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken)
    {
        var tags = new List<string>();
        string? path = $"/v2/{repository}/tags/list";
        while (path is not null)
        {
            string currentPath = path;
            using var response = await SendAsync(baseUri => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, currentPath)), PullScope(repository), idempotent: true, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return tags;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await FailAsync(response, $"listing tags of {Registry}/{repository}", cancellationToken).ConfigureAwait(false);
            }

            using var document = JsonDocument.Parse(await ReadLimitedAsync(response.Content, OciJson.MaxDocumentSize, $"listing tags of {repository}", cancellationToken).ConfigureAwait(false));
            if (document.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                tags.AddRange(list.EnumerateArray().Select(t => t.GetString()).OfType<string>());
            }

            path = NextPage(response);
        }

        return tags;
    }

    // The Link header has the form `</v2/repo/tags/list?last=x&n=100>; rel="next"`.
    private static string? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        string link = values.First();
        int start = link.IndexOf('<');
        int end = link.IndexOf('>');
        return start >= 0 && end > start && link.Contains("rel=\"next\"", StringComparison.Ordinal) ? link[(start + 1)..end] : null;
    }
}
