namespace Microsoft.ML.Gan.Bench;

/// <summary>One edge as a data view row, in the columns NetGAN reads by default.</summary>
internal sealed class EdgeRow
{
    public int Source { get; set; }
    public int Target { get; set; }

    public static IEnumerable<EdgeRow> Of(IEnumerable<(int Source, int Target)> edges) =>
        edges.Select(e => new EdgeRow { Source = e.Source, Target = e.Target });
}
