namespace Microsoft.ML.Gan.Tests.NetGan;

/// <summary>Small graphs whose statistics are worked out by hand in the tests, and the paper's Cora-ML graph.</summary>
internal static class TestGraphs
{
    public static string CoraFolder => Path.Combine(AppContext.BaseDirectory, "TestData", "cora_ml");

    private static readonly Lazy<Graph> CoraGraph =
        new(() => GraphFiles.ReadEdgeList(Path.Combine(CoraFolder, "cora_ml_lcc.edges")).Graph);

    /// <summary>Cora-ML's largest connected component: 2,810 nodes, 7,981 edges.</summary>
    public static Graph Cora => CoraGraph.Value;

    public static int[] CoraLabels() => GraphFiles.ReadNodeLabels(Path.Combine(CoraFolder, "cora_ml_lcc.labels"), Cora.NodeCount);

    public static Graph Of(params (int, int)[] edges) => Graph.FromEdges(edges).Graph;

    public static Graph Triangle => Of((0, 1), (1, 2), (0, 2));

    /// <summary>Centre 0, leaves 1 … 4.</summary>
    public static Graph Star => Of((0, 1), (0, 2), (0, 3), (0, 4));

    /// <summary>0 – 1 – 2 – 3.</summary>
    public static Graph Path4 => Of((0, 1), (1, 2), (2, 3));

    /// <summary>Triangles {0, 1, 2} and {3, 4, 5} joined by the edge 2 – 3.</summary>
    public static Graph TwoTriangles => Of((0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (3, 5), (4, 5));

    /// <summary>Zachary's karate club (34 nodes, 78 edges), as networkx's <c>karate_club_graph()</c> numbers it.</summary>
    public static Graph Karate => Of(
        (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (0, 7), (0, 8), (0, 10), (0, 11), (0, 12), (0, 13), (0, 17),
        (0, 19), (0, 21), (0, 31), (1, 2), (1, 3), (1, 7), (1, 13), (1, 17), (1, 19), (1, 21), (1, 30), (2, 3), (2, 7),
        (2, 8), (2, 9), (2, 13), (2, 27), (2, 28), (2, 32), (3, 7), (3, 12), (3, 13), (4, 6), (4, 10), (5, 6), (5, 10),
        (5, 16), (6, 16), (8, 30), (8, 32), (8, 33), (9, 33), (13, 33), (14, 32), (14, 33), (15, 32), (15, 33), (18, 32),
        (18, 33), (19, 33), (20, 32), (20, 33), (22, 32), (22, 33), (23, 25), (23, 27), (23, 29), (23, 32), (23, 33),
        (24, 25), (24, 27), (24, 31), (25, 31), (26, 29), (26, 33), (27, 33), (28, 31), (28, 33), (29, 32), (29, 33),
        (30, 32), (30, 33), (31, 32), (31, 33), (32, 33));

    /// <summary>The karate club's two factions (networkx's 'club' attribute: 0 = Mr. Hi, 1 = Officer).</summary>
    public static int[] KarateClubs => "0000000001000011001010111111111111".Select(c => c - '0').ToArray();
}
