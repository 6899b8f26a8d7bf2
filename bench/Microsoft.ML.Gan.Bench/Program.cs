using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// Measurements behind BENCHMARKS.md. Run from the repository root:
/// <c>dotnet run -c Release --project bench/Microsoft.ML.Gan.Bench -- COMMAND [--option value …]</c>.
/// </summary>
internal static class Program
{
    private const string Usage = """
        Commands (every one takes --threads N, libtorch's intra-op threads, default all cores; step, netgan and emoji
        take --gpu true for CUDA device 0 and --cudnn-benchmark true for cuDNN autotuning):
          step      CycleGAN training-step time           --sizes 64,128 --blocks 6 --ngf 64 --ndf 64 --batch 1 --warmup 3 --reps 10 [--onednn true] [--out file.json]
          overhead  Fit vs a bare TorchSharp loop, A B A B   --size 64 --blocks 6 --ngf 64 --ndf 64 --batch 1 --pool 50 --images 10 --steps 20 --rounds 5 [--out file.json]
          memory    RSS / managed heap / live tensors over a long Fit   --size 32 --blocks 2 --ngf 16 --ndf 16 --images 50 --steps 1000 --every 10 [--checkpoints dir] [--out file.json]
          netgan    NetGAN on Cora-ML: statistics of 5 generated graphs, test link prediction, Adamic/Adar   --iterations 5000 --eval-every 500 --eval-walks 100000 --scoring-walks 500000 --eo 0.5 --seed 1 [--max-minutes M] [--edges file (.gml/.gml.gz too)] [--baseline-only true] [--out dir]
          netgan-scale  NetGAN step time, peak memory and score-matrix size against N (synthetic graphs of Cora-ML's density)   --nodes 1000,2000,5000,10000,20000 --warmup 1 --reps 3 --walks 100000 [--edges file] [--out file.json]
          seqgan-oracle  SeqGAN's synthetic experiment, NLL-oracle of random / MLE / SeqGAN generators (defaults: the paper's schedule)   --vocab 5000 --length 20 --sequences 9984 --eval-samples 9984 --mle-epochs 120 --d-pretrain-rounds 50 --d-epochs 3 --adversarial-rounds 200 --adversarial-d-rounds 5 --rollouts 16 --eval-every 5 --oracle-seed 66 --seed 88 [--rollout-rate 0] [--checkpoints dir] [--max-minutes M] [--out dir]
          seqgan-save  the saved SeqGAN model at the oracle's size: NLL-oracle of TorchSharp's and the loaded zip's samples, score difference, time per row   --vocab 5000 --length 20 --sequences 9984 --eval-samples 9984 --mle-epochs 5 --oracle-seed 66 --seed 88 [--out dir]
          emoji     train Google -> Twitter, score held-out pairs (L1, SSIM)   --method cyclegan|gan-alone --epochs 2 --images 0 (= all) --size 64 --blocks 6 --ngf 64 --ndf 64 --batch 1 --seed 1 [--max-minutes M] [--data dir] [--out dir]
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            var options = new CommandOptions(args.Skip(1).ToList());
            int threads = options.Int("threads", 0);
            if (threads > 0) torch.set_num_threads(threads);
            return args[0] switch
            {
                "step" => StepBenchmark.Run(options),
                "overhead" => OverheadBenchmark.Run(options),
                "memory" => MemoryBenchmark.Run(options),
                "emoji" => EmojiEvaluation.Run(options),
                "netgan" => NetGanBenchmark.Run(options),
                "netgan-scale" => NetGanScaleBenchmark.Run(options),
                "seqgan-oracle" => SeqGanOracleBenchmark.Run(options),
                "seqgan-save" => SeqGanSaveBenchmark.Run(options),
                _ => throw new ArgumentException($"Unknown command '{args[0]}'.\n{Usage}"),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }
}
