using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Gan.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;

using static Microsoft.ML.Gan.Tests.TestSupport;
using static TorchSharp.torch;
using Line = Microsoft.ML.Gan.Tests.SeqGan.SeqGanEstimatorTests.Line;

namespace Microsoft.ML.Gan.Tests.SeqGan;

/// <summary>
/// A saved SeqGAN model is a chain of ML.NET's own transformers: a process without Microsoft.ML.Gan
/// (<see cref="RoundTripProcess"/>) loads it, scores rows as the TorchSharp transformer does and samples from the
/// same distribution.
/// </summary>
[TestClass]
public sealed class SeqGanSaveLoadTests
{
    private const float ScoreTolerance = 1e-4f;

    private static string Save(MLContext ml, ITransformer model, IDataView data)
    {
        string zip = Path.Combine(TempDirectory(), "seqgan.zip");
        ml.Model.Save(model, data.Schema, zip);
        return zip;
    }

    private static string[] Texts(Dictionary<string, JsonElement[]> output, string column) => output[column].Select(e => e.GetString()!).ToArray();

    private static float[] Scores(Dictionary<string, JsonElement[]> output, string column) =>
        output[column].Select(e => e.EnumerateArray().Single().GetSingle()).ToArray();

    [TestMethod]
    public void WordModelLoadsWithoutOurAssemblyScoresAsTorchSharpAndMapsUnknownWords()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SeqGanEstimatorTests.Lines());
        using var model = ml.Transforms.Gan().SeqGan(SeqGanEstimatorTests.Tiny()).Fit(data);
        string zip = Save(ml, model, data);

        string[] texts =
        {
            "the cat sat", "my bird slept here", "a  dog\tran far", "the zebra sat", "unknown words only", "", "   ",
            "one fox sang the cat sat a dog ran far", "<unk> <pad> cat",
        };
        var output = RoundTripProcess.ScoreTexts(zip, texts, "Text", "Generated", "Score");
        Assert.IsFalse(File.Exists(Path.Combine(RoundTripProcess.ProgramFolder, "Microsoft.ML.Gan.dll")), "The child process must not see our assembly.");

        var theirs = Scores(output, "Score");
        for (int i = 0; i < texts.Length; i++)
            Assert.AreEqual(model.Score(texts[i]), theirs[i], ScoreTolerance, $"Score of '{texts[i]}'.");
        Assert.AreNotEqual(model.Score("the cat sat"), model.Score("the zebra sat"), "An unknown word changes the score.");
        Assert.AreEqual(model.Score("the <unk> sat"), model.Score("the zebra sat"), "An unknown word is the unknown token.");

        foreach (var text in Texts(output, "Generated"))
        {
            var words = text.Split(' ');
            Assert.IsTrue(words.Length <= model.SequenceLength, $"'{text}' has at most {model.SequenceLength} words.");
            Assert.IsTrue(text.Length == 0 || words.All(w => model.Vocabulary.Skip(1).Contains(w)), $"'{text}': words of the vocabulary, one space apart.");
        }
        // A fresh load in this process samples what the child process sampled; a second read continues the stream.
        var loaded = new MLContext().Model.Load(zip, out _).Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new Line { Text = t })));
        Assert.AreEqual(new VectorDataViewType(TextDataViewType.Instance, 1), loaded.Schema["Generated"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 1), loaded.Schema["Score"].Type);
        string[] Read() => loaded.GetColumn<VBuffer<ReadOnlyMemory<char>>>("Generated").Select(v => v.GetItemOrDefault(0).ToString()).ToArray();
        CollectionAssert.AreEqual(Texts(output, "Generated"), Read());
        CollectionAssert.AreNotEqual(Texts(output, "Generated"), Read(), "Reading the rows again draws new samples.");
    }

    public sealed class Poem
    {
        public string Text { get; set; } = "";
    }

    [TestMethod]
    public void CharacterModelLoadsAndScoresUnknownAndBlankRowsAsTorchSharp()
    {
        string[] lines = { "白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼", "床前明月光", "疑是地上霜", "举头望明月", "低头思故乡" };
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 32).Select(i => new Poem { Text = lines[i % lines.Length] }));
        var options = SeqGanEstimatorTests.Tiny();
        (options.Tokenizer, options.SequenceLength) = (SeqGanTokenizer.Characters, 5);
        using var model = ml.Transforms.Gan().SeqGan(options).Fit(data);
        string zip = Save(ml, model, data);

        string[] texts = { "白日依山尽", "白日依山", "白日 依山尽", "白日依山尽黄河入海流", "春眠不觉晓", "白x依山尽", "", "  \t ", " 白日" };
        var output = RoundTripProcess.ScoreTexts(zip, texts, "Text", "Generated", "Score");
        var theirs = Scores(output, "Score");
        for (int i = 0; i < texts.Length; i++)
            Assert.AreEqual(model.Score(texts[i]), theirs[i], ScoreTolerance, $"Score of '{texts[i]}'.");
        Assert.AreEqual(model.Score(""), model.Score("  \t "), "White space only is an empty row.");
        foreach (var text in Texts(output, "Generated"))
        {
            // The unknown token reads "<unk>", as TorchSharp's samples write it.
            var characters = text.Replace("<unk>", "\u0001").EnumerateRunes().Select(r => r.Value == 1 ? "<unk>" : r.ToString()).ToArray();
            Assert.IsTrue(characters.Length <= 5, $"'{text}' has at most 5 characters.");
            Assert.IsTrue(characters.All(c => model.Vocabulary.Skip(1).Contains(c)), $"'{text}': characters of the vocabulary, no separator.");
        }
    }

    [TestMethod]
    public void GraphDrawsEachTokenByInvertingTorchSharpsDistribution()
    {
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(SeqGanEstimatorTests.Lines());
        var options = SeqGanEstimatorTests.Tiny();
        options.Temperature = 0.7;
        using var model = ml.Transforms.Gan().SeqGan(options).Fit(data);
        const int rows = 64;
        int length = model.SequenceLength;
        var noise = new float[rows * length];
        var random = new GanRandom(4);
        for (int i = 0; i < noise.Length; i++) noise[i] = (float)random.NextDouble();

        using var session = new InferenceSession(model.OnnxBytesWithNoiseInput());
        using var results = session.Run(new[]
        {
            NamedOnnxValue.CreateFromTensor("keys", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<uint>(new uint[rows * 2], new[] { rows, 2 })),
            NamedOnnxValue.CreateFromTensor(SeqGanOnnx.NoiseInput, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(noise, new[] { rows, length })),
        });
        var ids = results.Single(r => r.Name == SeqGanOnnx.IdsOutput).AsTensor<long>().ToArray();
        var texts = results.Single(r => r.Name == "Generated").AsTensor<string>().ToArray();

        // Teacher-forced on the graph's own draws, TorchSharp's G gives each step's distribution; the graph's token must
        // be the one whose cumulative probability interval holds u_t.
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var probabilities = nn.functional.softmax(model.Generator.Logits(tensor(ids, new long[] { rows, length })) / options.Temperature, -1);
        var cdf = probabilities.cumsum(-1).data<float>().ToArray();
        int v = (int)model.Generator.VocabularySize;
        int mismatches = 0;
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < length; t++)
            {
                int offset = (r * length + t) * v;
                float target = noise[r * length + t] * cdf[offset + v - 1];
                int expected = Math.Min(Enumerable.Range(0, v).Count(k => cdf[offset + k] <= target), v - 1);
                if (expected != ids[r * length + t]) mismatches++;
            }
        Assert.AreEqual(0, mismatches, "Tokens drawn differently from TorchSharp's distribution at the same uniforms.");
        var vocabulary = model.Vocabulary;
        for (int r = 0; r < rows; r++)
        {
            var expected = TokenColumn.Join(ids.Skip(r * length).Take(length).TakeWhile(id => id != 0).Select(id => vocabulary[(int)id]), SeqGanTokenizer.Whitespace);
            Assert.AreEqual(expected, texts[r]);
        }
        Assert.IsTrue(ids.Distinct().Count() > 5, "The draws vary.");
    }

    [TestMethod]
    public void LoadedSamplesMatchTorchSharpsNllOracleOnTheOracleTask()
    {
        const int vocabularySize = 40, length = 8, samples = 4000;
        using var oracle = new OracleLstm(vocabularySize, seed: 3, embeddingSize: 16, hiddenSize: 16);
        string AsText(long[] ids) => string.Join(' ', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
        long[][] Rows(Tensor sequences) => sequences.data<long>().ToArray().Chunk(length).ToArray();
        var training = Rows(oracle.Sample(512, length, new Generator(4))).Select(AsText).ToList();
        var heldOut = Rows(oracle.Sample(samples, length, new Generator(5))).Select(AsText).ToList();

        var ml = new MLContext(seed: 4);
        var data = ml.Data.LoadFromEnumerable(training.Select(t => new Line { Text = t }));
        var options = new SeqGanEstimator.Options
        {
            SequenceLength = length, EmbeddingSize = 16, HiddenSize = 16, DiscriminatorEmbeddingSize = 8, BatchSize = 64,
            PretrainEpochs = 4, DiscriminatorPretrainRounds = 1, DiscriminatorEpochsPerRound = 1, AdversarialRounds = 0,
            DiscriminatorFilters = new[] { (1, 8), (2, 8), (4, 8) },
        };
        using var model = ml.Transforms.Gan().SeqGan(options).Fit(data);
        string zip = Save(ml, model, data);
        var output = RoundTripProcess.ScoreTexts(zip, heldOut, "Text", "Generated", "Score");

        var theirs = Scores(output, "Score");
        for (int i = 0; i < samples; i += 8)
            Assert.AreEqual(model.Score(heldOut[i]), theirs[i], ScoreTolerance, $"Score of '{heldOut[i]}'.");

        // Both sets of samples as oracle ids; a sample cut short by padding or holding the unknown token has no oracle id
        // everywhere, and is counted instead. The standard error comes from the spread of the samples' own NLLs.
        (double Nll, double StandardError, int Left) Evaluate(IEnumerable<string> texts)
        {
            var full = texts.Select(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(w => w.Length == length && w.All(x => int.TryParse(x, CultureInfo.InvariantCulture, out _)))
                .Select(w => w.Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray()).ToList();
            using var scope = NewDisposeScope();
            using var noGradient = no_grad();
            var ids = tensor(full.SelectMany(x => x).ToArray(), new long[] { full.Count, length });
            var perSequence = -oracle.Network.TokenLogProbabilities(ids).mean(new long[] { 1 });
            return (oracle.NllOracle(ids), perSequence.std().item<float>() / Math.Sqrt(full.Count), samples - full.Count);
        }
        var torchSharp = Evaluate(model.Generate(samples).GetColumn<string>("Generated"));
        var loaded = Evaluate(Texts(output, "Generated"));
        var truth = oracle.NllOracle(tensor(heldOut.SelectMany(t => t.Split(' ').Select(long.Parse)).ToArray(), new long[] { samples, length }));
        double standardError = Math.Sqrt(torchSharp.StandardError * torchSharp.StandardError + loaded.StandardError * loaded.StandardError);
        Console.WriteLine($"NLL-oracle of {samples} samples: TorchSharp {torchSharp.Nll:F4} ({torchSharp.Left} left out), loaded model {loaded.Nll:F4} ({loaded.Left} left out), " +
            $"standard error of the difference {standardError:F4}; oracle's own samples {truth:F4}.");
        Assert.AreEqual(torchSharp.Nll, loaded.Nll, 0.05, "NLL-oracle of the loaded model's samples vs the TorchSharp transformer's.");
        Assert.IsTrue(standardError < 0.05 / 3, $"Enough samples that 0.05 is a meaningful bound: standard error {standardError:F4}.");
        Assert.IsTrue(torchSharp.Left < samples / 20 && loaded.Left < samples / 20, $"Samples left out: {torchSharp.Left} and {loaded.Left} of {samples}.");
        Assert.IsTrue(Math.Abs(loaded.Nll - truth) > 0.1, "The generator is not yet the oracle, so the comparison can tell distributions apart.");
    }

    public sealed class KeyRow
    {
        public string[] Words { get; set; } = Array.Empty<string>();
    }

    [TestMethod]
    public void TokenVectorModelLoadsAndScoresAsTorchSharp()
    {
        var ml = new MLContext(seed: 5);
        var rows = SeqGanEstimatorTests.Lines().Select(l => new KeyRow { Words = l.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries) }).ToList();
        rows.Add(new KeyRow { Words = new[] { "the", "zebra", " ", "", "sat" } });
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = SeqGanEstimatorTests.Tiny();
        options.InputColumnName = "Words";
        using var model = ml.Transforms.Gan().SeqGan(options).Fit(data);
        string zip = Save(ml, model, data);

        var loaded = new MLContext().Model.Load(zip, out var inputSchema);
        Assert.AreEqual(new VectorDataViewType(TextDataViewType.Instance), inputSchema["Words"].Type);
        var theirs = loaded.Transform(data).GetColumn<float[]>("Score").Select(s => s.Single()).ToArray();
        var ours = model.Transform(data).GetColumn<float>("Score").ToArray();
        for (int i = 0; i < ours.Length; i++)
            Assert.AreEqual(ours[i], theirs[i], ScoreTolerance, $"Score of row {i}.");
        Assert.AreEqual(model.Score("the zebra sat"), theirs[^1], ScoreTolerance, "Blank items are left out and an unknown word is the unknown token.");
    }

    [TestMethod]
    public void KeyInputRefusesToSaveNamingTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SeqGanEstimatorTests.Lines().Select(l => new KeyRow { Words = l.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries) }));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Keys", "Words").Fit(data).Transform(data);
        var options = SeqGanEstimatorTests.Tiny();
        options.InputColumnName = "Keys";
        using var model = ml.Transforms.Gan().SeqGan(options).Fit(keyed);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(model, keyed.Schema, Path.Combine(TempDirectory(), "keys.zip")));
        StringAssert.Contains(error.Message, "'Keys'");
        StringAssert.Contains(error.Message, "MapKeyToValue");
    }
}
