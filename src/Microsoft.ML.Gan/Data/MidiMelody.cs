using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Gan.Core;
using NAudio.Midi;

namespace Microsoft.ML.Gan;

/// <summary>
/// Melodies of MIDI files as 88-key pitch tokens, the representation of the SeqGAN paper's music experiment, and the
/// way back from tokens to a playable MIDI file.
/// </summary>
/// <remarks>
/// <para>A token is a piano key: MIDI note number − 21, so 0 is A0 and 87 is C8. Notes outside the piano's range are
/// dropped.</para>
/// <para>The melody of a file is one <i>part</i>: the notes of one (track, channel) pair, with channel 10 (General MIDI
/// drums) never a part. Of the parts with at least <see cref="MinimumPartOnsets"/> onsets (fewer are ornaments or
/// single effects, not a tune), the one with the highest mean pitch is taken. At each onset (each distinct start time
/// in the part) the highest note starting there is the melody's token, so a chord contributes its top note once.
/// Durations and rests are not kept, as in the paper, which samples the solo track's pitch at fixed steps.</para>
/// <para>Reading is done by NAudio.Midi (format 0 and 1 files, running status, missing note-offs tolerated).</para>
/// </remarks>
public static class MidiMelody
{
    /// <summary>MIDI note number of the piano's lowest key (A0), token 0.</summary>
    public const int LowestNote = 21;

    /// <summary>Number of piano keys, the token vocabulary: tokens are 0..<see cref="KeyCount"/> − 1.</summary>
    public const int KeyCount = 88;

    /// <summary>A part needs at least this many onsets to count as a melody.</summary>
    public const int MinimumPartOnsets = 16;

    /// <summary>The paper's music sequence length: 32 tokens.</summary>
    public const int PaperSequenceLength = 32;

    /// <summary>Ticks per quarter note in written files.</summary>
    public const int TicksPerQuarterNote = 480;

    /// <summary>
    /// Tempo of written files, in microseconds per quarter note: 400,000 (150 beats per minute), so each token, written
    /// as a quarter note, lasts 0.4 s, the paper's pitch-sampling step.
    /// </summary>
    public const int MicrosecondsPerQuarterNote = 400_000;

    private const int DrumChannel = 10;

    /// <summary>Reads the melody of a MIDI file as piano-key tokens (0..87), one per onset, in time order.</summary>
    /// <param name="path">The .mid file.</param>
    /// <returns>The melody's tokens.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a MIDI file, or has no non-drum part with at least
    /// <see cref="MinimumPartOnsets"/> onsets of notes in the piano's range; the message names the file.</exception>
    public static IReadOnlyList<int> ReadMelody(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"MIDI file '{path}' does not exist.", path);
        MidiFile file;
        try
        {
            file = new MidiFile(path, strictChecking: false);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or ArgumentException or InvalidOperationException or IOException)
        {
            throw new InvalidDataException($"'{path}' is not a readable MIDI file (expected a Standard MIDI File starting with 'MThd'): {e.Message}", e);
        }

        // (track, channel) -> onset time -> highest key starting then.
        var parts = new Dictionary<(int Track, int Channel), SortedDictionary<long, int>>();
        for (int track = 0; track < file.Events.Tracks; track++)
        {
            foreach (var midiEvent in file.Events[track])
            {
                // A note-on with velocity 0 is a note-off by the standard.
                if (midiEvent is not NoteOnEvent { Velocity: > 0 } note || note.Channel == DrumChannel) continue;
                int key = note.NoteNumber - LowestNote;
                if (key < 0 || key >= KeyCount) continue;
                var part = parts.TryGetValue((track, note.Channel), out var found) ? found : parts[(track, note.Channel)] = new();
                part[note.AbsoluteTime] = part.TryGetValue(note.AbsoluteTime, out int other) ? Math.Max(other, key) : key;
            }
        }

        var melody = parts.Values.Where(p => p.Count >= MinimumPartOnsets).MaxBy(p => p.Values.Average());
        if (melody is null)
        {
            int most = parts.Count == 0 ? 0 : parts.Values.Max(p => p.Count);
            throw new InvalidDataException(
                $"MIDI file '{path}' has no melody: expected a non-drum (track, channel) part with at least {MinimumPartOnsets} note onsets " +
                $"in the piano's range (MIDI notes {LowestNote}..{LowestNote + KeyCount - 1}), found {parts.Count} part(s) with at most {most}.");
        }
        return melody.Values.ToArray();
    }

    /// <summary>
    /// Cuts a melody into consecutive, non-overlapping sequences of <paramref name="length"/> tokens written as
    /// whitespace-separated numbers (the SeqGAN Whitespace tokenizer's input); a shorter remainder is dropped.
    /// </summary>
    /// <param name="melody">Piano-key tokens.</param>
    /// <param name="length">Tokens per sequence, at least 1 (the paper: 32).</param>
    /// <returns>The sequences, e.g. <c>"39 41 43 ..."</c>.</returns>
    public static IReadOnlyList<string> ToSequences(IReadOnlyList<int> melody, int length = PaperSequenceLength)
    {
        ArgumentNullException.ThrowIfNull(melody);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var sequences = new List<string>(melody.Count / length);
        for (int start = 0; start + length <= melody.Count; start += length)
            sequences.Add(string.Join(' ', Enumerable.Range(start, length).Select(i => melody[i].ToString(CultureInfo.InvariantCulture))));
        return sequences;
    }

    /// <summary>Parses a whitespace-separated token text (a training row or a generated sample) into piano keys.</summary>
    /// <param name="text">The text, e.g. <c>"39 41 43"</c>.</param>
    /// <returns>The keys.</returns>
    /// <exception cref="FormatException">A token is not an integer in 0..87 (the message quotes it and its position).</exception>
    public static int[] ParseTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var keys = new int[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!int.TryParse(tokens[i], NumberStyles.None, CultureInfo.InvariantCulture, out keys[i]) || keys[i] >= KeyCount)
                throw new FormatException($"Token {i} '{tokens[i]}' is not a piano key: expected an integer in 0..{KeyCount - 1}.");
        }
        return keys;
    }

    /// <summary>
    /// Parses a generated sample, keeping the tokens that are piano keys and leaving out the others (a generator's
    /// unknown token <c>&lt;unk&gt;</c>), so a sample can still be played and measured.
    /// </summary>
    /// <param name="text">Whitespace-separated tokens.</param>
    /// <returns>The keys in order; empty when none is a key.</returns>
    public static int[] ParseTokensLenient(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int key) && key < KeyCount ? key : -1)
            .Where(key => key >= 0).ToArray();
    }

    /// <summary>
    /// Writes piano-key tokens as a one-track MIDI file (format 0, channel 1, acoustic piano): every token a quarter
    /// note of <see cref="TicksPerQuarterNote"/> ticks at <see cref="MicrosecondsPerQuarterNote"/> (0.4 s a note),
    /// velocity 80, one after the other without rests.
    /// </summary>
    /// <param name="path">The .mid file to write; an existing one is replaced atomically, so a player or a crash never sees half a file.</param>
    /// <param name="keys">Tokens in 0..87.</param>
    /// <exception cref="ArgumentException">No tokens, or a token outside 0..87.</exception>
    public static void Write(string path, IReadOnlyList<int> keys)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) throw new ArgumentException("There are no tokens to write.", nameof(keys));
        for (int i = 0; i < keys.Count; i++)
        {
            if (keys[i] < 0 || keys[i] >= KeyCount)
                throw new ArgumentException($"Token {i} is {keys[i]}: expected a piano key in 0..{KeyCount - 1}.", nameof(keys));
        }

        const int channel = 1, velocity = 80;
        var events = new MidiEventCollection(0, TicksPerQuarterNote);
        events.AddEvent(new TempoEvent(MicrosecondsPerQuarterNote, 0), 0);
        long time = 0;
        foreach (int key in keys)
        {
            events.AddEvent(new NoteOnEvent(time, channel, key + LowestNote, velocity, TicksPerQuarterNote), 0);
            events.AddEvent(new NoteEvent(time + TicksPerQuarterNote, channel, MidiCommandCode.NoteOff, key + LowestNote, 0), 0);
            time += TicksPerQuarterNote;
        }
        events.AddEvent(new MetaEvent(MetaEventType.EndTrack, 0, time), 0);
        events.PrepareForExport();
        AtomicFile.Write(path, temp => MidiFile.Export(temp, events));
    }
}

/// <summary>
/// The SeqGAN music example's data: the melodies of a folder of MIDI files (as <c>examples/data/fetch-midi.sh</c>
/// writes it) cut into <see cref="MidiMelody.PaperSequenceLength"/>-token pitch sequences, split into training and
/// held-out sequences by file.
/// </summary>
/// <remarks>
/// A whole file is held out when the first four bytes of the MD5 of its name (UTF-8), read as a big-endian number, are
/// divisible by 10 (about 10% of the files), so consecutive sequences of one tune, which share phrases, never sit on
/// both sides, and the split depends neither on the machine nor on the listing order. Files without a melody or that
/// are not MIDI are skipped and listed in <see cref="Skipped"/>.
/// </remarks>
public sealed class MelodyDataset
{
    /// <summary>The command that downloads the MIDI files, relative to the repository root.</summary>
    public const string FetchCommand = "examples/data/fetch-midi.sh";

    /// <summary>The folder the fetch script writes to by default, relative to the repository root.</summary>
    public const string DefaultRelativeFolder = "data/midi";

    private MelodyDataset(string folder, IReadOnlyList<string> train, IReadOnlyList<string> test, int files, IReadOnlyList<string> skipped)
    {
        (Folder, Train, Test, FileCount, Skipped) = (folder, train, test, files, skipped);
    }

    /// <summary>The folder read, as a full path.</summary>
    public string Folder { get; }

    /// <summary>Training sequences, whitespace-separated piano keys.</summary>
    public IReadOnlyList<string> Train { get; }

    /// <summary>Held-out sequences, from files none of whose sequences are in <see cref="Train"/>.</summary>
    public IReadOnlyList<string> Test { get; }

    /// <summary>How many files gave a melody.</summary>
    public int FileCount { get; }

    /// <summary>Files skipped, each with the reason.</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>
    /// Looks for <see cref="DefaultRelativeFolder"/> holding at least one <c>*.mid</c> file in <paramref name="start"/>
    /// (default: the current directory) and its parents.
    /// </summary>
    /// <param name="start">Where to start looking.</param>
    /// <returns>The folder's full path, or null when there is none.</returns>
    public static string? FindDefaultFolder(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, DefaultRelativeFolder);
            if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, "*.mid").Any()) return candidate;
        }
        return null;
    }

    /// <summary>Reads every <c>*.mid</c> file of a folder (sorted by name).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="sequenceLength">Tokens per sequence (the paper: 32).</param>
    /// <returns>The data set.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist (the message names the fetch command).</exception>
    /// <exception cref="InvalidDataException">No file in the folder gave a full sequence.</exception>
    public static MelodyDataset Load(string folder, int sequenceLength = MidiMelody.PaperSequenceLength)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"MIDI folder '{folder}' does not exist; run {FetchCommand} to download the files.");
        var (train, test, skipped) = (new List<string>(), new List<string>(), new List<string>());
        int files = 0;
        foreach (string file in Directory.GetFiles(folder, "*.mid").Order(StringComparer.Ordinal))
        {
            IReadOnlyList<int> melody;
            try
            {
                melody = MidiMelody.ReadMelody(file);
            }
            catch (InvalidDataException e)
            {
                skipped.Add(e.Message);
                continue;
            }
            files++;
            (IsHeldOut(Path.GetFileName(file)) ? test : train).AddRange(MidiMelody.ToSequences(melody, sequenceLength));
        }
        if (train.Count + test.Count == 0)
            throw new InvalidDataException($"No file in '{folder}' gave a melody of at least {sequenceLength} notes ({skipped.Count} skipped).");
        return new MelodyDataset(Path.GetFullPath(folder), train, test, files, skipped);
    }

    private static bool IsHeldOut(string name)
    {
        var hash = MD5.HashData(Encoding.UTF8.GetBytes(name));
        return ((uint)hash[0] << 24 | (uint)hash[1] << 16 | (uint)hash[2] << 8 | hash[3]) % 10 == 0;
    }
}
