using System.Globalization;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// The <c>--name value</c> options of one command. Options that no command reads are an error rather than silently
/// ignored, so a typo cannot turn a 30-minute run into the wrong one.
/// </summary>
internal sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public CommandOptions(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length < 3)
                throw new ArgumentException($"Expected an option '--name [value]', found '{args[i]}'.");
            string name = args[i][2..];
            bool hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            _values[name] = hasValue ? args[++i] : "true";
        }
    }

    public string String(string name, string fallback) => Get(name) ?? fallback;

    public string? OptionalString(string name) => Get(name);

    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public int? OptionalInt(string name) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;

    public double Double(string name, double fallback) => Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => Bool(name, false);

    public bool Bool(string name, bool fallback) => Get(name) is { } v ? bool.Parse(v) : fallback;

    public int[] Ints(string name, params int[] fallback) =>
        Get(name) is { } v ? v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : fallback;

    /// <summary>Call after every option was read.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_known.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown option(s) {string.Join(", ", unknown.Select(u => "--" + u))}; this command takes {string.Join(", ", _known.Order().Select(k => "--" + k))}.");
    }

    private string? Get(string name)
    {
        _known.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }
}
