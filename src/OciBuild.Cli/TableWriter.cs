namespace OciBuild.Cli;

/// <summary>Prints rows as left-aligned columns separated by at least two spaces.</summary>
internal static class TableWriter
{
    public static void Write(IReadOnlyList<string[]> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        int columns = rows[0].Length;
        int[] widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            var cells = row.Select((cell, c) => c == columns - 1 ? cell : cell.PadRight(widths[c]));
            Console.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
