using System.Globalization;
using System.Text;

namespace OciBuild.Layers;

/// <summary>
/// The body of a PAX extended header: records of the form <c>"&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n"</c>,
/// where the length counts the whole record including its own digits.
/// </summary>
internal sealed class PaxRecords
{
    private readonly List<(string Key, string Value)> _records = [];

    public bool IsEmpty => _records.Count == 0;

    public void Add(string key, string value) => _records.Add((key, value));

    public byte[] ToBytes()
    {
        var body = new MemoryStream();
        foreach (var (key, value) in _records)
        {
            byte[] payload = Encoding.UTF8.GetBytes($" {key}={value}\n");

            // The length includes its own digits, so adding digits can add one more digit.
            int length = payload.Length;
            while (length != payload.Length + DigitCount(length))
            {
                length = payload.Length + DigitCount(length);
            }

            body.Write(Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture)));
            body.Write(payload);
        }

        return body.ToArray();
    }

    private static int DigitCount(int value) => value.ToString(CultureInfo.InvariantCulture).Length;
}
