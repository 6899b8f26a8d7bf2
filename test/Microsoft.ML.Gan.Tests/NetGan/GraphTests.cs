using static Microsoft.ML.Gan.Tests.NetGan.TestGraphs;

namespace Microsoft.ML.Gan.Tests.NetGan;

[TestClass]
public sealed class GraphTests
{
    [TestMethod]
    public void FromEdges_BuildsSortedSymmetricRows()
    {
        var g = Of((2, 0), (0, 1), (3, 1));
        Assert.AreEqual(4, g.NodeCount);
        Assert.AreEqual(3, g.EdgeCount);
        CollectionAssert.AreEqual(new[] { 1, 2 }, g.Neighbors(0).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 3 }, g.Neighbors(1).ToArray());
        CollectionAssert.AreEqual(new[] { 2, 2, 1, 1 }, g.Degrees());
        Assert.IsTrue(g.HasEdge(0, 2) && g.HasEdge(2, 0) && g.HasEdge(1, 3));
        Assert.IsFalse(g.HasEdge(2, 3) || g.HasEdge(0, 0) || g.HasEdge(-1, 0) || g.HasEdge(0, 9));
        CollectionAssert.AreEqual(new[] { (0, 1), (0, 2), (1, 3) }, g.Edges());
    }

    [TestMethod]
    public void FromEdges_DropsCountsAndReportsSelfLoopsAndDuplicates()
    {
        var result = Graph.FromEdges(new[] { (0, 1), (1, 0), (1, 2), (2, 2), (0, 1), (2, 0), (3, 3) });
        Assert.AreEqual(7, result.EdgesRead);
        Assert.AreEqual(2, result.SelfLoopsDropped);
        Assert.AreEqual(2, result.DuplicateEdgesDropped, "(1, 0) and the second (0, 1) repeat {0, 1}");
        Assert.IsTrue(result.HasDroppedEdges);
        Assert.AreEqual(3, result.Graph.EdgeCount);
        Assert.AreEqual(4, result.Graph.NodeCount, "node 3 has only a self loop, which is dropped, but the node stays");
        Assert.AreEqual(0, result.Graph.Degree(3));
        Assert.AreEqual("7 edges read: 3 kept, 2 self loops dropped, 2 duplicates dropped", result.ToString());
        Assert.IsFalse(Graph.FromEdges(new[] { (0, 1), (1, 2) }).HasDroppedEdges);
    }

    [TestMethod]
    public void FromEdges_RejectsNegativeIdsAndTooFewNodes()
    {
        var negative = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Graph.FromEdges(new[] { (0, 1), (2, -4) }));
        StringAssert.Contains(negative.Message, "Edge 1 (2, -4) has a negative node id");
        var few = Assert.ThrowsExactly<ArgumentException>(() => Graph.FromEdges(new[] { (0, 1), (1, 0) }));
        StringAssert.Contains(few.Message, "at least 3 nodes");
        Assert.ThrowsExactly<ArgumentException>(() => Graph.FromEdges(Array.Empty<(int, int)>()));
        var outside = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Graph.FromEdges(new[] { (0, 5) }, nodeCount: 4));
        StringAssert.Contains(outside.Message, "outside 0 … 3");
    }

    [TestMethod]
    public void FromEdges_DeclaredNodeCountKeepsIsolatedNodes()
    {
        var g = Graph.FromEdges(new[] { (0, 1) }, nodeCount: 5).Graph;
        Assert.AreEqual(5, g.NodeCount);
        var component = g.ConnectedComponents(out int count);
        Assert.AreEqual(4, count);
        CollectionAssert.AreEqual(new[] { 0, 0, 1, 2, 3 }, component);
        Assert.IsFalse(g.IsConnected());
        Assert.IsTrue(TwoTriangles.IsConnected());
    }

    [TestMethod]
    public void Neighbors_OutOfRange_Throws() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Triangle.Neighbors(3).Length);

    [TestMethod]
    public void ReadEdgeList_CoraMl()
    {
        var result = GraphFiles.ReadEdgeList(Path.Combine(CoraFolder, "cora_ml_lcc.edges"));
        Assert.AreEqual(2810, result.Graph.NodeCount);
        Assert.AreEqual(7981, result.Graph.EdgeCount);
        Assert.AreEqual(7981, result.EdgesRead);
        Assert.IsFalse(result.HasDroppedEdges);
        Assert.IsTrue(result.Graph.IsConnected(), "the file is the largest connected component");

        var labels = CoraLabels();
        Assert.AreEqual(2810, labels.Length);
        CollectionAssert.AreEqual(Enumerable.Range(0, 7).ToArray(), labels.Distinct().Order().ToArray());
    }

    [TestMethod]
    public void ReadEdgeList_ReadsCsvWithAHeader()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# generated\nSource,Target,Weight\n0,1,0.5\n1, 2\n3,2\n");
            var result = GraphFiles.ReadEdgeList(path);
            Assert.AreEqual(3, result.EdgesRead, "the header is not an edge");
            CollectionAssert.AreEqual(new[] { (0, 1), (1, 2), (2, 3) }, result.Graph.Edges());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ReadEdgeList_ReportsBadLinesWithTheirNumber()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# comment\n0\t1\n\n1\tx\n");
            StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadEdgeList(path)).Message,
                "line 4: 'x' is not an integer node id");
            File.WriteAllText(path, "0 1\n1 -2\n");
            StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadEdgeList(path)).Message,
                "line 2: node id -2 is negative");
            File.WriteAllText(path, "0 1\n2\n");
            StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadEdgeList(path)).Message, "line 2");
            File.WriteAllText(path, "# three nodes\n0 1\n1 2\n2 3\n");
            StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadEdgeList(path, nodeCount: 3)).Message,
                $"{path}, line 4: node id 3 is not below the 3 nodes declared");
            File.WriteAllText(path, "0 1\n1 2 # a trailing field is ignored\n1 1\n2 1\n");
            var result = GraphFiles.ReadEdgeList(path);
            Assert.AreEqual((2, 1, 1), (result.Graph.EdgeCount, result.SelfLoopsDropped, result.DuplicateEdgesDropped));

            File.WriteAllText(path, "0,1\n1,2\nx,y\n");
            StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadEdgeList(path)).Message,
                "line 3: 'x' is not an integer node id", "only the first record can be a header");
            File.WriteAllText(path, "0,x\n1,2\n");
            StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadEdgeList(path)).Message,
                "line 1: 'x' is not an integer node id", "a header has two names, not a number and a name");

            File.WriteAllText(path, "0 1\n2 0\n");
            StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadNodeLabels(path, 3)).Message,
                "node 1 has no label");
            File.WriteAllText(path, "0 1\n1 0\n0 2\n");
            StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadNodeLabels(path, 2)).Message,
                "line 3: node 0 is labelled a second time");
            File.WriteAllText(path, "0 1\n1 -1\n");
            StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadNodeLabels(path, 2)).Message,
                "label -1 is negative");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
