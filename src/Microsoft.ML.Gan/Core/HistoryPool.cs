using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>
/// The history of generated images that CycleGAN's discriminators see (Shrivastava et al.; the official
/// <c>ImagePool</c>): below capacity every image is stored and returned; once full, each image is, with probability
/// ½, swapped for a random stored one (which is returned), otherwise returned as is.
/// </summary>
internal sealed class HistoryPool : IDisposable
{
    private readonly List<Tensor> _images = new();

    public HistoryPool(int capacity)
    {
        if (capacity < 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The pool size cannot be negative.");
        Capacity = capacity;
    }

    public int Capacity { get; }
    public int Count => _images.Count;
    public IReadOnlyList<Tensor> Images => _images;

    /// <summary>Returns a batch of the same size as <paramref name="batch"/>, drawn from the history as above.</summary>
    public Tensor Query(Tensor batch, GanRandom random)
    {
        if (Capacity == 0) return batch;
        var outputs = new List<Tensor>();
        for (long i = 0; i < batch.shape[0]; i++)
        {
            var image = batch[i].unsqueeze(0).detach();
            if (_images.Count < Capacity)
            {
                _images.Add(image.clone().DetachFromDisposeScope());
                outputs.Add(image);
            }
            else if (random.NextDouble() > 0.5)
            {
                int id = random.Next(Capacity);
                var stored = _images[id];
                outputs.Add(stored.clone());
                stored.Dispose();
                _images[id] = image.clone().DetachFromDisposeScope();
            }
            else
            {
                outputs.Add(image);
            }
        }
        return cat(outputs, 0);
    }

    /// <summary>Replaces the content (a checkpoint's).</summary>
    public void Restore(IEnumerable<Tensor> images)
    {
        Clear();
        foreach (var t in images) _images.Add(t.clone().DetachFromDisposeScope());
        if (_images.Count > Capacity) throw new InvalidDataException($"The checkpoint's pool holds {_images.Count} images; this model's pool size is {Capacity}.");
    }

    private void Clear()
    {
        foreach (var t in _images) t.Dispose();
        _images.Clear();
    }

    public void Dispose() => Clear();
}
