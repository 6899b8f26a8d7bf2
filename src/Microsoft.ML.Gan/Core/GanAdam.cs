using Microsoft.ML.Gan.Core.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>
/// Adam (Kingma &amp; Ba) as PyTorch's single-tensor implementation computes it, with its state held as plain tensors
/// so that a checkpoint stores and restores it exactly (moment estimates, step count, learning rate).
/// </summary>
/// <remarks>
/// The per-tensor update launches about nine kernels per parameter tensor, and zeroing the gradients one more, which
/// on a GPU costs more than the arithmetic for the small tensors GANs have (CycleGAN's generators' optimiser has 96). With
/// <c>flat: true</c> the parameters, their gradients and both moments are views of one buffer each (as PyTorch's
/// <c>DistributedDataParallel(gradient_as_bucket_view=True)</c> keeps gradients): backward accumulates into the
/// gradient buffer in place, and zeroing, the global-norm clip and the update are a handful of kernels over whole
/// buffers, however many tensors there are. Two optimisers over the same parameters (SeqGAN's MLE and adversarial ones)
/// share the parameter and gradient buffers and keep their own moments. The per-parameter state tensors are views of
/// the moment buffers under the same names, so checkpoints move freely between the two modes.
/// With <c>capturable: true</c> (as PyTorch's <c>Adam(capturable=True)</c>) the step's numbers that change from step
/// to step (the bias corrections β₁ᵗ, β₂ᵗ and the learning rate) live in tensors on the parameters' device and the
/// update reads them there, so that a step captured in a CUDA graph (<see cref="Native.CudaGraphStep"/>) is right on
/// every replay instead of repeating the captured step's numbers; a few more small kernels per step.
/// </remarks>
internal sealed class GanAdam : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly double _beta1, _beta2, _eps, _weightDecay;
    // Flat mode only: the parameters and gradients as views of one buffer each, and the moments of all parameters one
    // after the other (_expAvg[i] / _expAvgSq[i] are views of them).
    private readonly FlatLayout? _flat;
    private readonly Tensor? _flatExpAvg, _flatExpAvgSq;
    // Flat mode updates this many elements of its buffers at a time (16 MiB of float32), so that the update's
    // temporaries stay that size. It costs seven to nine more kernels for every 4 million parameters, in optimisers that
    // large (CycleGAN's generators' has 22.8 million); smaller ones are one chunk.
    internal const long FlatChunk = 1L << 22;
    // Capturable only, float64 on the parameters' device: [β₁ᵗ, β₂ᵗ] after t steps, [β₁, β₂], and the learning rate.
    private readonly Tensor? _betaPowers, _betas, _learningRate;
    private double _learningRateValue;

    /// <param name="parameters">The tensors to update, in place, from their <c>grad</c> at each <see cref="Step"/>; the
    /// moment state is indexed by their order, which a checkpoint relies on.</param>
    /// <param name="learningRate">The step size α of the first step; a schedule changes it through <see cref="LearningRate"/>.</param>
    /// <param name="beta1">Decay rate of the running mean of the gradients (0.9, Kingma &amp; Ba's and PyTorch's default,
    /// which SeqGAN keeps; CycleGAN, NetGAN and WaveGAN pass 0.5, as their official code does).</param>
    /// <param name="beta2">Decay rate of the running mean of the squared gradients (0.999, the same defaults; NetGAN and
    /// WaveGAN pass 0.9, as their official code does).</param>
    /// <param name="eps">Added to the bias-corrected √v̂ in the denominator, after the correction as PyTorch does
    /// (1e-8, PyTorch's and TensorFlow's default).</param>
    /// <param name="weightDecay">Coefficient of an L2 term added to each gradient before the moments, as PyTorch's
    /// <c>Adam(weight_decay=…)</c> does (not AdamW's decoupled decay); 0, the default, adds none.</param>
    /// <param name="flat">Make the parameters, their gradients and the state views of one buffer each and update them
    /// with a handful of kernels (see the remarks); needs every parameter on one device with one element type (float32
    /// or float64). It moves each parameter's data into the buffer, so the modules must be on their device first. Every
    /// parameter then has a gradient from the start: one that backward leaves untouched is updated as having a zero
    /// gradient (as PyTorch's Adam after <c>zero_grad(set_to_none=False)</c>), where the per-tensor update skips it until
    /// its first gradient.</param>
    /// <param name="capturable">Keep the numbers that change between steps on the parameters' device, for a step
    /// captured in a CUDA graph (see the remarks); needs every parameter on one device.</param>
    public GanAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool flat = false, bool capturable = false)
    {
        _parameters = parameters.ToArray();
        (_beta1, _beta2, _eps, _weightDecay) = (beta1, beta2, eps, weightDecay);
        if (flat && _parameters.Length > 0) FlatLayout.Validate(_parameters, nameof(parameters));
        if (capturable && _parameters.Length > 0)
        {
            var device = _parameters[0].device;
            if (_parameters.Any(p => p.device_type != device.type || p.device_index != device.index))
                throw new ArgumentException("A capturable Adam needs all parameters on one device; found "
                    + string.Join(", ", _parameters.Select(p => p.device.ToString()).Distinct()) + ".", nameof(parameters));
            _betaPowers = ones(2, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
            _betas = tensor(new[] { beta1, beta2 }, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
            _learningRate = tensor(learningRate, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
        }
        LearningRate = learningRate;
        if (flat && _parameters.Length > 0)
        {
            _flat = new FlatLayout(_parameters);
            _flatExpAvg = zeros_like(_flat.Gradients).DetachFromDisposeScope();
            _flatExpAvgSq = zeros_like(_flat.Gradients).DetachFromDisposeScope();
            _expAvg = _flat.Views(_flatExpAvg);
            _expAvgSq = _flat.Views(_flatExpAvgSq);
        }
        else
        {
            _expAvg = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
            _expAvgSq = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        }
    }

    /// <summary>Whether the state lives in one flat buffer (see the remarks).</summary>
    public bool IsFlat => _flat is not null;

    /// <summary>The learning rate of the next step (a schedule sets it; never during a CUDA graph's capture).</summary>
    public double LearningRate
    {
        get => _learningRateValue;
        set
        {
            _learningRateValue = value;
            using var _ = no_grad();
            _learningRate?.fill_(value);
        }
    }

    /// <summary>Whether the step's changing numbers live on the device (see the remarks).</summary>
    public bool IsCapturable => _betaPowers is not null;

    /// <summary>Steps taken so far.</summary>
    public long StepCount { get; private set; }

    public void ZeroGrad()
    {
        if (_flat is not null)
        {
            _flat.Gradients.zero_();
            return;
        }
        foreach (var p in _parameters) p.grad?.zero_();
    }

    /// <summary>
    /// Scales the gradients so that their global L2 norm is at most <paramref name="maxNorm"/>, as TensorFlow's
    /// <c>clip_by_global_norm</c> computes it: every gradient times maxNorm · min(1 / norm, 1 / maxNorm), in float32, no
    /// epsilon (at or below the limit the factor is maxNorm · (1 / maxNorm), which is 1 for SeqGAN's 5). Computed on the
    /// gradients' device with no host synchronisation, so that a CUDA graph can capture it. Returns the norm before, a
    /// scalar tensor; null without gradients.
    /// </summary>
    public Tensor? ClipGlobalNorm(double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var grads = _flat is not null ? [_flat.Gradients] : _parameters.Select(p => p.grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return null;
        var norm = (grads.Length == 1 ? grads[0].pow(2).sum() : stack(grads.Select(g => g.pow(2).sum()).ToArray()).sum()).sqrt();
        var factor = norm.reciprocal().clamp_max(1.0 / maxNorm).mul_(maxNorm);
        foreach (var g in grads) g.mul_(factor);
        return norm.MoveToOuterDisposeScope();
    }

    public void Step()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // Captured in a CUDA graph, the count must still grow at every replay, which runs kernels only: models read it
        // (the epoch's position, checkpoints), while a capturable optimiser's bias corrections advance on the device.
        CudaGraphStep.HostWork(() => StepCount++);
        var numbers = NextStepNumbers();
        if (_flat is not null)
        {
            FlatStep(_flat, numbers);
            return;
        }
        for (int i = 0; i < _parameters.Length; i++)
            if (_parameters[i].grad is { } g) Update(_parameters[i], g, _expAvg[i], _expAvgSq[i], numbers);
    }

    /// <summary>
    /// One parameter's update (or, flat, one chunk of the buffers') in place. Its temporaries (the denominator, the
    /// step, the decayed gradient) are freed before the next one's, so a step never holds more than one tensor's or
    /// chunk's worth of them. Held to the end of the step they would add up to the size of all the parameters, which
    /// libtorch's caching allocator (and each CUDA graph's private pool) would then keep, and which the CPU would fault
    /// in afresh at every step (BENCHMARKS.md, "The optimiser step's temporaries").
    /// </summary>
    private void Update(Tensor parameter, Tensor gradient, Tensor expAvg, Tensor expAvgSq, StepNumbers numbers)
    {
        using var scope = NewDisposeScope();
        var g = _weightDecay != 0 ? gradient.add(parameter, alpha: _weightDecay) : gradient;
        expAvg.lerp_(g, 1 - _beta1);
        expAvgSq.mul_(_beta2).addcmul_(g, g, value: 1 - _beta2);
        AddStep(parameter, numbers, expAvg, expAvgSq);
    }

    /// <summary>√(1 − β₂ᵗ) and the step size −α / (1 − β₁ᵗ) of this step: host numbers, or 0-d device tensors when capturable.</summary>
    private StepNumbers NextStepNumbers()
    {
        if (_betaPowers is null)
            return new(Math.Sqrt(1 - Math.Pow(_beta2, StepCount)), -LearningRate / (1 - Math.Pow(_beta1, StepCount)));
        _betaPowers.mul_(_betas!);
        var bias = _betaPowers.neg().add_(1);
        return new(0, 0, bias[1].sqrt(), _learningRate!.neg().div_(bias[0]));
    }

    /// <summary>The numbers of one step, on the host or (capturable) as 0-d tensors on the device.</summary>
    private readonly record struct StepNumbers(double Bias2Sqrt, double StepSize, Tensor? Bias2SqrtOnDevice = null, Tensor? StepSizeOnDevice = null);

    /// <summary>
    /// Adds the step to <paramref name="target"/>: step size · m / (√v / √(1 − β₂ᵗ) + ε), with host numbers through
    /// <c>addcdiv</c>, with device numbers as the same operations in the same order ((step size · m) / denominator).
    /// </summary>
    private void AddStep(Tensor target, StepNumbers s, Tensor expAvg, Tensor expAvgSq)
    {
        if (s.Bias2SqrtOnDevice is null)
        {
            target.addcdiv_(expAvg, expAvgSq.sqrt().div_(s.Bias2Sqrt).add_(_eps), value: s.StepSize);
            return;
        }
        var denom = expAvgSq.sqrt().div_(s.Bias2SqrtOnDevice).add_(_eps);
        target.add_(expAvg.mul(s.StepSizeOnDevice!).div_(denom));
    }

    /// <summary>
    /// The flat update, <see cref="FlatChunk"/> elements of the buffers at a time: element by element the same arithmetic
    /// as one update over whole buffers, with temporaries of at most a chunk.
    /// </summary>
    private void FlatStep(FlatLayout flat, StepNumbers numbers)
    {
        flat.Check();
        long total = flat.Parameters.shape[0];
        for (long start = 0; start < total; start += FlatChunk)
        {
            long length = Math.Min(FlatChunk, total - start);
            Update(flat.Parameters.narrow(0, start, length), flat.Gradients.narrow(0, start, length),
                _flatExpAvg!.narrow(0, start, length), _flatExpAvgSq!.narrow(0, start, length), numbers);
        }
        flat.MarkParametersChanged();
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

    public void RestoreCounters(long stepCount, double learningRate)
    {
        (StepCount, LearningRate) = (stepCount, learningRate);
        using var _ = no_grad();
        if (_betaPowers is null) return;
        using var powers = tensor(new[] { Math.Pow(_beta1, stepCount), Math.Pow(_beta2, stepCount) }, dtype: ScalarType.Float64);
        _betaPowers.copy_(powers);
    }

    public void Dispose()
    {
        foreach (var t in _expAvg.Concat(_expAvgSq)) t.Dispose();
        _flat?.Dispose();
        _flatExpAvg?.Dispose();
        _flatExpAvgSq?.Dispose();
        _betaPowers?.Dispose();
        _betas?.Dispose();
        _learningRate?.Dispose();
    }

    /// <summary>
    /// Flat mode's parameters and gradients: views of one buffer each, in parameter order. The first flat optimiser over
    /// a list of parameters moves their data and gradients into new buffers (<c>set_</c>, as PyTorch's
    /// <c>p.data = …</c>); a second one over the same list finds them laid out already and shares the buffers.
    /// </summary>
    private sealed class FlatLayout : IDisposable
    {
        // Each parameter starts at a multiple of this many elements (256 bytes in float32), as cuBLAS, cuDNN and
        // libtorch's vectorised kernels want their pointers aligned; packed tightly, every tensor after one whose length
        // is not a multiple of 4 would start off 16-byte alignment. The gaps stay zero in every buffer, so they add
        // nothing to the update or the clip.
        private const long Alignment = 64;
        private readonly Parameter[] _parameters;
        // Each parameter's first element in the buffers.
        private readonly long[] _offsets;
        private readonly (nint Storage, long Start) _parameterBuffer, _gradientBuffer;

        /// <summary>Throws unless <paramref name="parameters"/> can share one buffer: one device, one floating type, no parameter twice.</summary>
        public static void Validate(Parameter[] parameters, string argument)
        {
            var first = parameters[0];
            if (parameters.Any(p => p.device_type != first.device_type || p.device_index != first.device_index || p.dtype != first.dtype))
                throw new ArgumentException("A flat Adam needs all parameters on one device with one element type; found "
                    + string.Join(", ", parameters.Select(p => $"{p.dtype} on {p.device}").Distinct()) + ".", argument);
            if (first.dtype is not (ScalarType.Float32 or ScalarType.Float64))
                throw new ArgumentException($"A flat Adam needs float32 or float64 parameters; found {first.dtype}.", argument);
            using var scope = NewDisposeScope();
            var seen = new Dictionary<(nint, long), int>();
            for (int i = 0; i < parameters.Length; i++)
            {
                if (parameters[i].numel() == 0) continue;
                var start = (StorageAddress(parameters[i]), parameters[i].storage_offset());
                if (seen.TryGetValue(start, out int earlier))
                    throw new ArgumentException($"A flat Adam's parameters {earlier} and {i} are the same tensor; list each parameter once.", argument);
                seen[start] = i;
            }
        }

        public FlatLayout(Parameter[] parameters)
        {
            _parameters = parameters;
            _offsets = new long[parameters.Length];
            for (int i = 1; i < parameters.Length; i++)
                _offsets[i] = (_offsets[i - 1] + parameters[i - 1].numel() + Alignment - 1) / Alignment * Alignment;
            long total = _offsets[^1] + parameters[^1].numel();
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var first = parameters[0];
            if (LaidOut(parameters, _offsets))
            {
                Parameters = first.detach().as_strided([total], [1], first.storage_offset());
                Gradients = first.grad!.as_strided([total], [1], first.grad!.storage_offset());
            }
            else
            {
                Parameters = zeros(total, dtype: first.dtype, device: first.device);
                Gradients = zeros(total, dtype: first.dtype, device: first.device);
                for (int i = 0; i < parameters.Length; i++)
                {
                    var p = parameters[i];
                    var data = Parameters.narrow(0, _offsets[i], p.numel()).view(p.shape);
                    data.copy_(p);
                    p.set_(data);
                    var grad = Gradients.narrow(0, _offsets[i], p.numel()).view(p.shape);
                    if (p.grad is { } g) grad.copy_(g);
                    p.grad = grad;
                }
            }
            Parameters.DetachFromDisposeScope();
            Gradients.DetachFromDisposeScope();
            _parameterBuffer = (StorageAddress(Parameters), Parameters.storage_offset());
            _gradientBuffer = (StorageAddress(Gradients), Gradients.storage_offset());
        }

        /// <summary>All parameters, one after the other; every parameter is a view of it.</summary>
        public Tensor Parameters { get; }

        /// <summary>All gradients, one after the other; backward accumulates into it in place.</summary>
        public Tensor Gradients { get; }

        /// <summary>Each parameter's part of <paramref name="buffer"/> (a buffer of this layout's length), shaped as the parameter.</summary>
        public Tensor[] Views(Tensor buffer) => _parameters
            .Select((p, i) => buffer.narrow(0, _offsets[i], p.numel()).view(p.shape).DetachFromDisposeScope()).ToArray();

        /// <summary>
        /// Counts an in-place change on each parameter, as the per-tensor update's <c>add_</c> does: the update wrote
        /// through the buffer, whose version counter the parameters do not share, so autograd would otherwise not see
        /// that a graph recorded before the step holds stale weights. Host-only (<c>set_</c> to itself); skipped while a
        /// CUDA graph captures, since a capture only records the kernels (nothing has changed yet) and its replays run
        /// no host code.
        /// </summary>
        public void MarkParametersChanged()
        {
            if (CudaGraphStep.Capturing) return;
            using var scope = NewDisposeScope();
            foreach (var p in _parameters) p.set_(p.detach());
        }

        /// <summary>
        /// Throws unless every parameter and gradient is still the view of the buffers this layout made: a backward with
        /// <c>create_graph</c> replaces gradients instead of accumulating into them, a module moved to another device or
        /// element type disposes its parameters, and <c>set_</c> or a second flat optimiser over an overlapping but
        /// different list replaces their storage. The update would then silently miss them. Host-only (no device
        /// synchronisation), so a CUDA graph can capture around it.
        /// </summary>
        public void Check()
        {
            using var scope = NewDisposeScope();
            for (int i = 0; i < _parameters.Length; i++)
            {
                var p = _parameters[i];
                if (p.IsInvalid)
                    throw new InvalidOperationException($"Parameter {i} of a flat Adam was disposed: its module was moved to another device or element type after "
                        + "the optimiser was made, which replaces its parameters. Make the optimisers after the modules are in place.");
                if (!IsViewOf(p, _parameterBuffer, _offsets[i]))
                    throw new InvalidOperationException($"Parameter {i} ({string.Join("x", p.shape)}) of a flat Adam no longer lives in the optimiser's buffer: "
                        + "its data was replaced after the optimiser was made (set_, or a second flat optimiser over an overlapping but different list).");
                if (p.grad is not { } g || !IsViewOf(g, _gradientBuffer, _offsets[i]))
                    throw new InvalidOperationException($"The gradient of parameter {i} ({string.Join("x", p.shape)}) of a flat Adam is no longer a view of the optimiser's buffer: "
                        + "it was set to null or replaced (a backward with create_graph, or zero_grad(set_to_none)). Zero gradients with the optimiser's ZeroGrad.");
            }
        }

        private static bool IsViewOf(Tensor t, (nint Storage, long Start) buffer, long offset) =>
            t.is_contiguous() && t.storage_offset() == buffer.Start + offset && StorageAddress(t) == buffer.Storage;

        /// <summary>Whether the parameters and their gradients are already views of one buffer each, in this order.</summary>
        private static bool LaidOut(Parameter[] parameters, long[] offsets)
        {
            if (parameters[0].grad is not { } firstGrad) return false;
            var parameterBuffer = (StorageAddress(parameters[0]), parameters[0].storage_offset());
            var gradientBuffer = (StorageAddress(firstGrad), firstGrad.storage_offset());
            for (int i = 0; i < parameters.Length; i++)
                if (!IsViewOf(parameters[i], parameterBuffer, offsets[i]) || parameters[i].grad is not { } g || !IsViewOf(g, gradientBuffer, offsets[i]))
                    return false;
            return true;
        }

        /// <summary>The address of the start of <paramref name="t"/>'s storage (where its views' offsets count from).</summary>
        private static nint StorageAddress(Tensor t)
        {
            if (t.dtype == ScalarType.Float64)
            {
                using var doubles = t.storage<double>();
                return doubles.data_ptr();
            }
            using var floats = t.storage<float>();
            return floats.data_ptr();
        }

        public void Dispose()
        {
            Parameters.Dispose();
            Gradients.Dispose();
        }
    }
}
