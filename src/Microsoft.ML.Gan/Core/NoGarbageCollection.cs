using System.Runtime;

namespace Microsoft.ML.Gan.Core;

/// <summary>
/// A stretch of TorchSharp work during which no garbage collection starts: a no-GC region
/// (<see cref="GC.TryStartNoGCRegion(long)"/>) with room for <see cref="Budget"/> bytes of managed allocations.
/// </summary>
/// <remarks>
/// <para>Why: TorchSharp 0.107 hands libtorch a <see cref="TorchSharp.Scalar"/>'s native handle and keeps no reference to
/// the Scalar for the length of the call (no <c>GC.KeepAlive</c>), and it makes such Scalars itself for every number in
/// tensor arithmetic (<c>x + 1.0</c>, and the alpha = 1 of <c>x + y</c>). A collection that another thread triggers
/// during the call can queue the Scalar, and the finalizer thread then frees the native scalar while libtorch reads
/// it: an exception ("Expected false to be true", from <c>c10::Scalar::toDouble</c>), a wrong number or a crash. With
/// no collection during the work, such Scalars are finalized only after their calls have returned. A collection the
/// work's own thread triggers is harmless: it allocates between calls, not during one. (BENCHMARKS.md, "A TorchSharp
/// race, and the guard against it".)</para>
/// <para>Before it starts a region, a scope collects the youngest generation once <see cref="CollectEvery"/> bytes have
/// been allocated since the last time: where the room is free, starting a region does not collect, and the heap would
/// only grow. That collection happens between the calling thread's calls into libtorch, so it is safe for them.</para>
/// <para>Scopes nest: the outermost starts the region and ends it, and one that finds a region in effect (another
/// scope's, or the application's) leaves it alone. Work that allocates more than the budget (all threads together)
/// makes the runtime collect, which ends the region: the rest of the scope runs unguarded, and the work itself is
/// unaffected. Where the runtime refuses a region (another thread is starting one, or the budget is too large for
/// it), the scope does nothing.</para>
/// </remarks>
internal readonly struct NoGarbageCollection : IDisposable
{
    /// <summary>
    /// The room a scope asks for: about twelve times the managed allocations of the largest training step measured
    /// (2.6 MB, SeqGAN's adversarial generator step with 16 rollouts; the other GANs' steps 0.2–0.8 MB), so that other
    /// threads' allocations during an iteration have room too.
    /// </summary>
    public const long Budget = 32L << 20;

    /// <summary>
    /// Managed allocations after which <see cref="Begin"/> collects the youngest generation before it starts a region.
    /// Starting a region where the room is free does not collect, so without this the heap only grew: a small
    /// CycleGAN's resident memory rose by 188 MiB over 1,000 steps. 16 MiB is about as often as the runtime collects
    /// that generation by itself here. Every 8 MiB these collections made SeqGAN's <c>Fit</c> 1.6–3.7 % slower than a
    /// plain loop of the same model, every 16 MiB 0.7–1.6 %; every 32 MiB cost 37 MiB more resident memory than 16 in a
    /// small CycleGAN (BENCHMARKS.md, "The guard's collections").
    /// </summary>
    public const long CollectEvery = 16L << 20;

    private static long _allocatedAtCollection;
    private readonly bool _started;

    private NoGarbageCollection(bool started) => _started = started;

    /// <summary>Starts a region unless one is in effect; dispose to end it.</summary>
    public static NoGarbageCollection Begin(long budget = Budget)
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return default;
        // Here, between calls into libtorch on the calling thread, a collection is safe for it.
        long allocated = GC.GetTotalAllocatedBytes();
        if (allocated - Interlocked.Read(ref _allocatedAtCollection) >= CollectEvery)
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            Interlocked.Exchange(ref _allocatedAtCollection, allocated);
        }
        try
        {
            return new NoGarbageCollection(GC.TryStartNoGCRegion(budget));
        }
        catch (InvalidOperationException)
        {
            return default; // another thread started one in the meantime
        }
        catch (ArgumentOutOfRangeException)
        {
            return default; // more than this runtime's ephemeral space
        }
    }

    /// <summary>Whether this scope started the region that is in effect.</summary>
    public bool IsGuarding => _started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    public void Dispose()
    {
        if (!IsGuarding) return;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // The region ended on its own in between (a collection): nothing to end.
        }
    }
}
