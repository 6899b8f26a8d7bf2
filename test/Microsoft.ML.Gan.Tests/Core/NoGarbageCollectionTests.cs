using System.Runtime;
using System.Runtime.CompilerServices;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Tests.CycleGan;

namespace Microsoft.ML.Gan.Tests.Core;

/// <summary>
/// <see cref="NoGarbageCollection"/>, the guard against TorchSharp's Scalar race: no collection starts inside it, scopes
/// nest, and training runs its iterations inside one. (The race itself is shown by <c>bench scalar-race</c>.)
/// </summary>
[TestClass]
[DoNotParallelize] // a no-GC region is process-wide
public sealed class NoGarbageCollectionTests
{
    [TestMethod]
    public void NoCollectionStartsInAScopeWhileAnotherThreadAllocates()
    {
        // Garbage from another thread, as a progress handler or the test host might make: more than the runtime lets
        // the youngest generation take before collecting it here (8 to 16 MB from another thread started collections,
        // 4 MB none), and well inside the region's room (32 MiB), which the test host's own allocations share.
        const int Megabytes = 20;
        int outside = CollectionsWhileAnotherThreadAllocates(Megabytes);
        if (outside == 0)
            Assert.Inconclusive($"{Megabytes} MB from another thread started no collection even outside a region; here the test cannot show what the region prevents.");
        int inside;
        using (var scope = NoGarbageCollection.Begin())
        {
            Assert.IsTrue(scope.IsGuarding, "the scope started a no-GC region");
            inside = CollectionsWhileAnotherThreadAllocates(Megabytes);
            Assert.IsTrue(scope.IsGuarding, "the region is still in effect");
        }
        Assert.AreEqual(0, inside, $"Outside a region the same allocations started {outside} collections.");
        Assert.AreNotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode, "the scope ended its region");
    }

    private static int CollectionsWhileAnotherThreadAllocates(int megabytes)
    {
        int before = GC.CollectionCount(0);
        var other = new Thread(() =>
        {
            for (int i = 0; i < megabytes * 1_000; i++) GC.KeepAlive(new byte[1000]);
        });
        other.Start();
        other.Join();
        return GC.CollectionCount(0) - before;
    }

    [TestMethod]
    public void AScopeCollectsTheYoungestGenerationOnceEnoughHasBeenAllocated()
    {
        // Starting a region where the room is free does not collect: without this, the heap only grew. The garbage is
        // made inside a region of the test's own, so that no collection of the runtime's frees it first.
        Assert.IsTrue(GC.TryStartNoGCRegion(NoGarbageCollection.CollectEvery * 2));
        WeakReference garbage;
        try
        {
            garbage = Garbage();
            for (int i = 0; i < (int)(NoGarbageCollection.CollectEvery / 1000); i++) GC.KeepAlive(new byte[1000]);
        }
        finally
        {
            // Never leave the region to the next test; one that lapsed (a collection ran) has ended already, and the
            // assertion below then fails with its own message.
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
        Assert.IsTrue(garbage.IsAlive, "no collection yet");
        using (NoGarbageCollection.Begin())
            Assert.IsFalse(garbage.IsAlive, "the scope collected before it started its region");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Garbage() => new(new byte[100]);

    [TestMethod]
    public void ScopesNestAndTheOutermostEndsTheRegion()
    {
        using (var outer = NoGarbageCollection.Begin())
        {
            using (var inner = NoGarbageCollection.Begin())
            {
                Assert.IsFalse(inner.IsGuarding, "the inner scope found the outer's region and left it alone");
                Assert.AreEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            }
            Assert.IsTrue(outer.IsGuarding, "the inner scope did not end the outer's region");
        }
        Assert.AreNotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [TestMethod]
    public void AScopeWhoseRegionLapsedEndsQuietly()
    {
        var scope = NoGarbageCollection.Begin();
        GC.Collect(); // a collection ends the region, as more allocation than the budget would
        Assert.IsFalse(scope.IsGuarding);
        scope.Dispose();
        using var next = NoGarbageCollection.Begin();
        Assert.IsTrue(next.IsGuarding, "a new scope starts a new region");
    }

    [TestMethod]
    public void TrainingIterationsRunInsideARegion()
    {
        // Progress is reported from inside each iteration, on the training thread (SyncProgress).
        var modes = new List<GCLatencyMode>();
        var options = CycleGanTestData.TinyOptions();
        options.ProgressInterval = TimeSpan.Zero;
        options.Progress = new SyncProgress(_ => modes.Add(GCSettings.LatencyMode));
        var ml = new MLContext(seed: 1);
        using var model = ml.Transforms.Gan().CycleGan(options).Fit(CycleGanTestData.TrainingData(ml));
        Assert.IsTrue(modes.Count >= 2, $"{modes.Count} progress reports");
        CollectionAssert.AreEqual(Enumerable.Repeat(GCLatencyMode.NoGCRegion, modes.Count).ToList(), modes);
        Assert.AreNotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode, "no region is left in effect after Fit");
    }
}
