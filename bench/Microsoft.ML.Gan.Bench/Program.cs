using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// Measurements behind BENCHMARKS.md. Run from the repository root:
/// <c>dotnet run -c Release --project bench/Microsoft.ML.Gan.Bench -- COMMAND [--option value …]</c>.
/// </summary>
internal static class Program
{
    private const string Usage = """
        Commands (every one takes --threads N, libtorch's intra-op threads, default all cores; step, netgan, emoji and
        wavegan-is take --gpu true for CUDA device 0 and --cudnn-benchmark true|false for cuDNN autotuning (step and steps, which
        drive the models themselves: off when absent, as in PyTorch; netgan, emoji and wavegan-is, which train through Fit: the
        GAN's CuDnnAutotuning option, on when absent); step, steps, netgan and
        netgan-scale take --flat-adam true|false for GanTrainerOptions.FlatAdam (the library's choice when absent: on with CUDA graphs); steps and netgan-scale take --critic-one-pass true|false
        for NetGanSettings.CriticInOnePass, by device when absent; steps, netgan and netgan-scale take --cuda-graphs true|false
        for NetGAN's CudaGraphs option, and step and steps for CycleGAN's and steps for SeqGAN's (on a GPU when absent); steps and netgan-scale take --critic-draws gumbel|cdf for
        NetGanSettings.CriticWalkDraw, by device when absent; steps also takes --gpu, --cudnn-benchmark and --mixed-precision true for
        WaveGAN's and CycleGAN's MixedPrecision option; step and steps take --non-blocking-copies true for CycleGAN's and WaveGAN's
        host-to-GPU copies through page-locked memory without waiting, GanTrainerOptions.NonBlockingCopies; steps takes --conv-form
        direct|matrix|phases for the WaveGAN critic's convolutions (WaveGanSettings.ConvolutionForm; direct when absent) and
        --generator-matrix true for the generator's (WaveGanSettings.GeneratorMatrixProducts)):
          step      CycleGAN training-step time           --sizes 64,128 --blocks 6 --ngf 64 --ndf 64 --batch 1 --warmup 3 --reps 10 [--onednn true] [--out file.json]
          steps     training step of every GAN (SeqGAN: G adversarial step and D step), median, spread, peak memory   --config small|paper --gans cyclegan,seqgan,netgan,wavegan --warmup 3 --reps 10 --read-every 1 [--edges examples/data/cora_ml/cora_ml_lcc.edges] [--wavegan-model-size D --wavegan-batch B] [--out file.json]
          overhead  Fit vs a bare TorchSharp loop (CycleGAN), or vs the library's model in a plain loop (--gan wavegan|seqgan|netgan), A B A B   --gan cyclegan|wavegan|seqgan|netgan --rounds 5 [--out file.json]; cyclegan: --steps 20 --size 64 --blocks 6 --ngf 64 --ndf 64 --batch 1 --pool 50 --images 10; wavegan: --steps 20 --clips 40 --model-size 4 --batch 4; seqgan (its whole schedule): --lines 64 --length 20 --words 500 --batch 32 --mle-epochs 10 --d-pretrain-rounds 5 --adversarial-rounds 10 [--loop-guard true: a no-GC scope around each loop step]; netgan: --steps 20 (iterations) --edges examples/data/cora_ml/cora_ml_lcc.edges --eval-walks 10000 --scoring-walks 10000
          memory    RSS / managed heap / live tensors over a long Fit of one GAN at a small size   --gan cyclegan|seqgan|netgan|wavegan --steps 1000 --every 10 [--max-minutes M] [--checkpoints dir] [--out file.json]; cyclegan: --size 32 --blocks 2 --ngf 16 --ndf 16 --images 50; netgan: --nodes 500; wavegan: --model-size 4 --batch 4
          netgan    NetGAN on Cora-ML: statistics of 5 generated graphs, test link prediction, Adamic/Adar   --iterations 5000 --eval-every 500 --eval-walks 100000 --scoring-walks 500000 --eo 0.5 --seed 1 [--max-minutes M] [--edges file (.gml/.gml.gz too)] [--baseline-only true] [--out dir]
          netgan-eval  one NetGAN evaluation part by part (sampling, counting, graph assembly, edge overlap, link prediction) on Cora-ML   --walks 100000 --reps 3 --draws cdf,gumbel [--checkpoint file.mlgan] [--edges file] [--out file.json]
          scalar-race  TorchSharp's Scalar race (x + v while another thread allocates): calls that threw and wrong results, unguarded and in no-GC scopes   --seconds 20 --rate 64 (MB/s; 0 = nonstop) [--out file.json]
          nogc-cost  the cost of the library's no-GC scopes (one per training iteration), and whether they free dead large objects   --live-mb 20 --dead-loh-mb 40 --scopes 1000 --alloc-kb 16 --blocks 11 [--guard false: the same allocations without scopes] [--out file.json]
          netgan-scale  NetGAN step time, peak memory and score-matrix size against N (synthetic graphs of Cora-ML's density)   --nodes 1000,2000,5000,10000,20000 --warmup 1 --reps 3 --walks 100000 [--edges file] [--out file.json]
          seqgan-oracle  SeqGAN's synthetic experiment, NLL-oracle of random / MLE / SeqGAN generators (defaults: the paper's schedule)   --vocab 5000 --length 20 --sequences 9984 --eval-samples 9984 --mle-epochs 120 --d-pretrain-rounds 50 --d-epochs 3 --adversarial-rounds 200 --adversarial-d-rounds 5 --rollouts 16 --eval-every 5 --oracle-seed 66 --seed 88 [--rollout-rate 0] [--checkpoints dir] [--max-minutes M] [--out dir]
          seqgan-poems  SeqGAN on Chinese quatrains (examples/data/fetch-poems.sh): BLEU-2 against all held-out poems after MLE and after SeqGAN (defaults: the paper's schedule)   --mle-epochs 120 --d-pretrain-rounds 50 --d-epochs 3 --adversarial-rounds 200 --adversarial-d-rounds 5 --rollouts 16 --eval-every 5 --samples 2000 --train-poems 0 (= all) --test-poems 0 (= all) --max-vocab 10000 --seed 88 [--data dir] [--checkpoints dir] [--max-minutes M] [--out dir]
          specgan   a short SpecGAN run on synthetic notes: step time, W estimate, spectrogram moments against the data's (--architecture wavegan: the same run with WaveGAN, its clips compared as spectrograms)   --clips 64 --steps 100 --eval-every 25 --eval-samples 32 --d 8 --batch 16 --d-updates 5 --architecture specgan --phase-shuffle 2 --seed 1 [--out file.json]
          wavegan-is  digit classifier (the paper's Inception-score network) on espeak-ng digits, its accuracy, IS of real clips, of an untrained and a trained WaveGAN, NN diversity / memorisation   --digits data/digits --tuxpaint data/tuxpaint-digits [--accents en-us,en-gb] --held-out-voices m7,f5 --classifier-steps 100000 --classifier-minutes 0 (= no limit) --classifier-batch 64 --classifier-lr 1e-4 --classifier-optimizer sgd|adam --bn-momentum 0.01 [--classifier weights.bin] --eval-clips 500 --architecture wavegan --gan-minutes 20 [--gan-epochs N] --gan-batch 64 [--matrix-convolutions true|false] [--mixed-precision true] --samples 500 --seed 1 [--all-languages true] [--out dir]
          seqgan-music  SeqGAN on Debian MIDI melodies (examples/data/fetch-midi.sh): BLEU-4 and pitch-statistics MSE against held-out sequences after MLE and SeqGAN, samples as .mid   --length 32 --samples 1000 --midi-files 4 --mle-epochs 120 --d-pretrain-rounds 50 --d-epochs 3 --adversarial-rounds 200 --adversarial-d-rounds 5 --rollouts 16 --eval-every 5 --seed 88 [--data dir] [--checkpoints dir] [--max-minutes M] [--out dir]
          seqgan-save  the saved SeqGAN model at the oracle's size: NLL-oracle of TorchSharp's and the loaded zip's samples, score difference, time per row   --vocab 5000 --length 20 --sequences 9984 --eval-samples 9984 --mle-epochs 5 --oracle-seed 66 --seed 88 [--out dir]
          inference  generator throughput: TorchSharp (eval, no_grad) against ONNX Runtime on the exported graph, and the saved zip through ML.NET; median, IQR, samples/s, peak RSS, agreement   --gans cyclegan,wavegan,specgan,seqgan,netgan --warmup 2 --reps 10 --heavy-warmup 1 --heavy-reps 3 --mlnet-rows 16 --heavy-mlnet-rows 2 --threads (all cores) [--onednn true|false] [--gpu true] [--out file.json]
          graphs    CUDA graphs through libtorch's exported symbols (bench/gpu/CUDA-GRAPHS.md, stage 2; GPU only): a captured step replayed against eager   --gpu true --run basic|sgd|penalty|timing --reps 50
          graph-check  a GAN's training as CUDA graphs against eager: two models, same seed, data and host draws, side by side; loss differences, the parameters' distance against the distance moved, then time per step   --gan seqgan|seqgan-mle|cyclegan --gpu true --steps 30 --reps 50 [--size 128 --blocks 6 --filters 64] [--tolerance 1e-4 (seqgan) / 1e-3 (cyclegan)] [--cuda-graphs false: eager against eager, the CPU dry run] [--flat-adam true: both with the flat Adam]
          mixed-precision  cosine of a first step's gradients in float32 with those of inputs × (1 + 1e-6) and of bfloat16 forward passes (CycleGAN's generators, WaveGAN's critic), over random data draws   --draws 5 [--onednn true] [--gpu true] [--out file.json]
          conv-forms  cosine of a first step's WaveGAN critic gradients with its convolutions in each form (matrix product, phase split) against the direct form's, beside the direct form with clips × (1 + 1e-6); then both networks' gradients with the generator's transposed convolutions as matrix products   --draws 3 --d 64 --batch 16 [--gpu true] [--tf32 true] [--out file.json]
          adam-step  the optimiser step alone over CycleGAN's two generators (random gradients): time, and the step's peak RSS over its start (CPU) or the GPU memory in use before and after the steps; one process per mode on a GPU   --blocks 9 --warmup 2 --reps 10 --modes per-tensor,per-tensor-capturable,flat,flat-capturable [--gpu true] [--out file.json]
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
                "steps" => StepsBenchmark.Run(options),
                "overhead" => OverheadBenchmark.Run(options),
                "memory" => MemoryBenchmark.Run(options),
                "emoji" => EmojiEvaluation.Run(options),
                "netgan" => NetGanBenchmark.Run(options),
                "netgan-scale" => NetGanScaleBenchmark.Run(options),
                "netgan-eval" => NetGanEvalBenchmark.Run(options),
                "scalar-race" => ScalarRaceBenchmark.Run(options),
                "nogc-cost" => NoGcCostBenchmark.Run(options),
                "seqgan-oracle" => SeqGanOracleBenchmark.Run(options),
                "seqgan-poems" => SeqGanPoemsBenchmark.Run(options),
                "specgan" => SpecGanBenchmark.Run(options),
                "wavegan-is" => WaveGanInceptionBenchmark.Run(options),
                "seqgan-music" => SeqGanMusicBenchmark.Run(options),
                "seqgan-save" => SeqGanSaveBenchmark.Run(options),
                "inference" => InferenceBenchmark.Run(options),
                "graphs" => CudaGraphProbe.Run(options),
                "graph-check" => GraphCheck.Run(options),
                "mixed-precision" => MixedPrecisionCheck.Run(options),
                "adam-step" => AdamStepBenchmark.Run(options),
                "conv-forms" => ConvolutionFormCheck.Run(options),
                "onednn-check" => OneDnnCheck.Run(options),
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
