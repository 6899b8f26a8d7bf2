using System.IO.Compression;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.NetGan;

[TestClass]
public sealed class GmlFileTests
{
    private const string Triangle = """
        Creator "a test, with [brackets] in a string"
        graph
        [
          directed 0
          node [ id 10 label "ten" graphics [ x 1.5 y 2 ] ]
          node [ id 20 ]
          node
          [
            id 30
          ]
          edge [ source 10 target 20 ]
          edge [ source 20 target 30 weight 0.5 ]
          edge [ source 30 target 10 ]
          edge [ source 20 target 10 ]
          edge [ source 30 target 30 ]
        ]
        """;

    private static string Write(string text, string name = "g.gml")
    {
        string path = Path.Combine(TempDirectory(), name);
        File.WriteAllText(path, text);
        return path;
    }

    [TestMethod]
    public void ReadsNodesInOrderAndEdgesAsUndirected()
    {
        var result = GraphFiles.ReadGml(Write(Triangle));
        Assert.AreEqual(3, result.Graph.NodeCount, "Ids 10, 20, 30 become nodes 0, 1, 2.");
        CollectionAssert.AreEqual(new[] { (0, 1), (0, 2), (1, 2) }, result.Graph.Edges());
        Assert.AreEqual(5, result.EdgesRead);
        Assert.AreEqual(1, result.DuplicateEdgesDropped, "20–10 repeats 10–20.");
        Assert.AreEqual(1, result.SelfLoopsDropped);
    }

    [TestMethod]
    public void ReadsGzipCompressedFiles()
    {
        string path = Path.Combine(TempDirectory(), "g.gml.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        using (var writer = new StreamWriter(gz))
            writer.Write(Triangle);
        CollectionAssert.AreEqual(GraphFiles.ReadGml(Write(Triangle)).Graph.Edges(), GraphFiles.ReadGml(path).Graph.Edges());
    }

    [TestMethod]
    public void AnEdgeToAnUnknownNodeNamesTheFileAndLine()
    {
        string path = Write("graph [\n node [ id 1 ]\n node [ id 2 ]\n node [ id 3 ]\n edge [ source 1 target 7 ]\n]");
        var e = Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadGml(path));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "line 5");
        StringAssert.Contains(e.Message, "node 7");
    }

    [TestMethod]
    public void MalformedFilesAreRefusedWithTheirLine()
    {
        var missingTarget = Write("graph [\n node [ id 1 ]\n edge [ source 1 ]\n]");
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadGml(missingTarget)).Message, "line 3");
        var textId = Write("graph [\n node [ id one ]\n]");
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadGml(textId)).Message, "'one', not an integer");
        var cut = Write("graph [\n node [ id 1 ]\n node [ id 2");
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadGml(cut)).Message, "the file ends");
        var notGml = Write("0\t1\n1\t2\n", "edges.txt");
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => GraphFiles.ReadGml(notGml)).Message, "'graph'");
    }
}
