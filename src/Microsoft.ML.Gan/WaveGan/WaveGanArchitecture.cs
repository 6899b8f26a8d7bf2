namespace Microsoft.ML.Gan;

/// <summary>The two models of Donahue, McAuley and Puckette (ICLR 2019) that <see cref="WaveGanEstimator"/> trains.</summary>
public enum WaveGanArchitecture
{
    /// <summary>
    /// WaveGAN: 1-D transposed convolutions generate the waveform directly; the critic uses phase shuffle.
    /// </summary>
    WaveGan,

    /// <summary>
    /// SpecGAN: a DCGAN-like pair of 2-D networks (kernel 5 × 5, stride 2) on 128 × 128 normalised log-magnitude
    /// spectrograms (STFT frame 256, hop 128; per-bin mean and standard deviation of the training clips, clipped at
    /// 3 σ); generated spectrograms become waveforms by Griffin-Lim. 16,384-sample slices only, as the official code.
    /// </summary>
    SpecGan,
}
