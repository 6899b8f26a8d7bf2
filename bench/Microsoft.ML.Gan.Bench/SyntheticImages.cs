namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// Deterministic smooth images (a disc on a colour gradient) for the timing commands: throughput does not depend on
/// the pixels, and these need no download.
/// </summary>
internal static class SyntheticImages
{
    /// <summary>Planar RGB images in [−1, 1].</summary>
    public static float[][] Generate(int count, int size, int seed)
    {
        var random = new Random(seed);
        var images = new float[count][];
        int plane = size * size;
        for (int n = 0; n < count; n++)
        {
            var image = images[n] = new float[3 * plane];
            double cx = random.NextDouble() * size, cy = random.NextDouble() * size, r = size * (0.15 + 0.2 * random.NextDouble());
            var colour = new[] { random.NextDouble(), random.NextDouble(), random.NextDouble() };
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
                        double v = inside ? colour[c] : (x + y) / (2.0 * size) * (c + 1) / 3.0;
                        image[c * plane + y * size + x] = (float)(2 * v - 1);
                    }
        }
        return images;
    }
}
