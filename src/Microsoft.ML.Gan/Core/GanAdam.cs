using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>
/// Adam (Kingma &amp; Ba) as PyTorch's single-tensor implementation computes it, with its state held as plain tensors
/// so that a checkpoint stores and restores it exactly (moment estimates, step count, learning rate).
/// </summary>
internal sealed class GanAdam : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly double _beta1, _beta2, _eps, _weightDecay;

    public GanAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0)
    {
        _parameters = parameters.ToArray();
        LearningRate = learningRate;
        (_beta1, _beta2, _eps, _weightDecay) = (beta1, beta2, eps, weightDecay);
        _expAvg = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _expAvgSq = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>The learning rate of the next step (a schedule sets it).</summary>
    public double LearningRate { get; set; }

    /// <summary>Steps taken so far.</summary>
    public long StepCount { get; private set; }

    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad?.zero_();
    }

    /// <summary>
    /// Scales the gradients so that their global L2 norm is at most <paramref name="maxNorm"/>, as TensorFlow's
    /// <c>clip_by_global_norm</c> does (factor maxNorm / max(norm, maxNorm), no epsilon); returns the norm before.
    /// </summary>
    public double ClipGlobalNorm(double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var grads = _parameters.Select(p => p.grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return 0;
        double norm = stack(grads.Select(g => g.pow(2).sum()).ToArray()).sum().sqrt().item<float>();
        if (norm > maxNorm)
            foreach (var g in grads) g.mul_(maxNorm / norm);
        return norm;
    }

    public void Step()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        StepCount++;
        double bias1 = 1 - Math.Pow(_beta1, StepCount);
        double bias2Sqrt = Math.Sqrt(1 - Math.Pow(_beta2, StepCount));
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            var g = p.grad;
            if (g is null) continue;
            if (_weightDecay != 0) g = g.add(p, alpha: _weightDecay);
            _expAvg[i].lerp_(g, 1 - _beta1);
            _expAvgSq[i].mul_(_beta2).addcmul_(g, g, value: 1 - _beta2);
            var denom = _expAvgSq[i].sqrt().div_(bias2Sqrt).add_(_eps);
            p.addcdiv_(_expAvg[i], denom, value: -LearningRate / bias1);
        }
    }

    /// <summary>The state tensors, named for a checkpoint.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StateTensors()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            yield return ($"exp_avg.{i}", _expAvg[i]);
            yield return ($"exp_avg_sq.{i}", _expAvgSq[i]);
        }
    }

    public void RestoreCounters(long stepCount, double learningRate) => (StepCount, LearningRate) = (stepCount, learningRate);

    public void Dispose()
    {
        foreach (var t in _expAvg.Concat(_expAvgSq)) t.Dispose();
    }
}
