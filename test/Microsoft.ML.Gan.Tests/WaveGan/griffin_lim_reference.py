"""Independent reference values for SpecGanTransformTests: Griffin-Lim as SpecGAN's official train_specgan.py runs it
(tf.contrib.signal.stft(x, 256, 128) with pad_end for the target, zero initial phase, 16 iterations), written
with NumPy's FFT in float64, with the least-squares inverse window (TensorFlow's inverse_stft_window_fn) that
Microsoft.ML.Gan uses and with the official code's plain Hann inverse window, for comparison.
Run: /usr/bin/python3 griffin_lim_reference.py  (Debian python3-numpy)."""
import numpy as np

N, H, SLICE = 256, 128, 16384
w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N) / N)
overlap = w[:H] ** 2 + w[H:] ** 2
least_squares = w / np.concatenate([overlap, overlap])


def stft(x, pad_end=False):
    if pad_end:
        frames = -(-len(x) // H)
        x = np.pad(x, (0, (frames - 1) * H + N - len(x)))
    frames = 1 + (len(x) - N) // H
    return np.fft.rfft(np.stack([x[t * H:t * H + N] for t in range(frames)]) * w, axis=1)


def istft(X, window):
    frames = np.fft.irfft(X, N, axis=1) * window
    y = np.zeros((len(X) - 1) * H + N)
    for t, frame in enumerate(frames):
        y[t * H:t * H + N] += frame
    return y


def griffin_lim(M, iterations, window):
    X = M.astype(complex)
    for _ in range(iterations):
        E = stft(istft(X, window))
        X = M * E / np.maximum(1e-8, np.abs(E))
    return istft(X, window)[:SLICE]


def spectral_convergence(x, M):
    return np.linalg.norm(np.abs(stft(x, pad_end=True)) - M) / np.linalg.norm(M)


t = np.arange(SLICE) / 16000
signals = {
    # SpecGanTransformTests.Tone: 440 Hz and its third harmonic, decaying.
    "tone": np.exp(-2 * t) * (0.5 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1320 * t)),
    # SpecGanTransformTests.Chirp(200, 4000): a linear sweep.
    "chirp": 0.5 * np.sin(2 * np.pi * (200 * t + (4000 - 200) / 2 * t ** 2 * 16000 / SLICE)),
}
for name, x in signals.items():
    x = x.astype(np.float32).astype(np.float64)
    M = np.abs(stft(x, pad_end=True))
    for label, window in (("least squares", least_squares), ("official plain Hann", w)):
        print(f"{name:6s} {label:20s}" + "".join(f"  {n:3d} it: {spectral_convergence(griffin_lim(M, n, window), M):.4f}" for n in (0, 16, 100)))
