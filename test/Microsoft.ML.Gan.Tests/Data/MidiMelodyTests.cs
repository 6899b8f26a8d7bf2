using NAudio.Midi;

namespace Microsoft.ML.Gan.Tests.Data;

/// <summary>Melody extraction, token text and MIDI writing on MIDI files the tests write themselves.</summary>
[TestClass]
public sealed class MidiMelodyTests
{
    // Writes a format-1 file: every part is (track, channel, notes as (tick, MIDI note)).
    private static string WriteMidi(params (int Track, int Channel, (long Tick, int Note)[] Notes)[] parts)
    {
        var events = new MidiEventCollection(1, 96);
        int tracks = parts.Max(p => p.Track) + 1;
        for (int t = 0; t < tracks; t++) events.AddTrack();
        foreach (var (track, channel, notes) in parts)
        {
            foreach (var (tick, note) in notes)
            {
                events.AddEvent(new NoteOnEvent(tick, channel, note, 90, 48), track);
                events.AddEvent(new NoteEvent(tick + 48, channel, MidiCommandCode.NoteOff, note, 0), track);
            }
        }
        for (int t = 0; t < tracks; t++)
            events.AddEvent(new MetaEvent(MetaEventType.EndTrack, 0, events[t].Count == 0 ? 0 : events[t].Max(e => e.AbsoluteTime)), t);
        events.PrepareForExport();
        string path = Path.Combine(TestSupport.TempDirectory(), "song.mid");
        MidiFile.Export(path, events);
        return path;
    }

    private static (long, int)[] Line(int count, Func<int, int> note, long step = 96) =>
        Enumerable.Range(0, count).Select(i => (i * step, note(i))).ToArray();

    [TestMethod]
    public void TheMelodyIsTheHighestNonDrumPartWithTopNoteOfEachOnset()
    {
        var melody = Line(20, i => 60 + i % 5);
        // A chord at the first onset: its top note (67) is the token, once.
        melody = [.. melody, (0, 67), (0, 55)];
        string path = WriteMidi(
            (0, 1, melody),
            (1, 2, Line(20, i => 40 + i % 3)),                 // bass: lower mean
            (1, 10, Line(30, _ => 100)),                       // drums: highest, but channel 10
            (2, 3, Line(5, _ => 105)));                        // too few onsets to be a melody
        var keys = MidiMelody.ReadMelody(path);
        var expected = Enumerable.Range(0, 20).Select(i => 60 + i % 5 - MidiMelody.LowestNote).ToArray();
        expected[0] = 67 - MidiMelody.LowestNote;
        CollectionAssert.AreEqual(expected, keys.ToArray());
    }

    [TestMethod]
    public void WrittenTokensReadBackUnchanged()
    {
        var keys = Enumerable.Range(0, 40).Select(i => (i * 7) % MidiMelody.KeyCount).ToArray();
        string path = Path.Combine(TestSupport.TempDirectory(), "generated.mid");
        MidiMelody.Write(path, keys);
        CollectionAssert.AreEqual(keys, MidiMelody.ReadMelody(path).ToArray());

        var file = new MidiFile(path, strictChecking: true);
        Assert.AreEqual(MidiMelody.TicksPerQuarterNote, file.DeltaTicksPerQuarterNote);
        var notes = file.Events[0].OfType<NoteOnEvent>().Where(n => n.Velocity > 0).ToList();
        Assert.AreEqual(40, notes.Count);
        Assert.AreEqual(39L * MidiMelody.TicksPerQuarterNote, notes[^1].AbsoluteTime);
        Assert.IsTrue(notes.All(n => n.NoteLength == MidiMelody.TicksPerQuarterNote));
        Assert.AreEqual(MidiMelody.MicrosecondsPerQuarterNote, file.Events[0].OfType<TempoEvent>().Single().MicrosecondsPerQuarterNote);
    }

    [TestMethod]
    public void WritingLeavesAFileNamedLikeATemporaryOneAlone()
    {
        string folder = TestSupport.TempDirectory();
        string path = Path.Combine(folder, "tune.mid");
        // A fixed temporary name (the target's plus ".tmp") would overwrite this file and move it onto the target.
        File.WriteAllText(path + ".tmp", "the user's own notes");
        var keys = Enumerable.Range(0, 20).Select(i => 30 + i).ToArray();
        MidiMelody.Write(path, keys);
        CollectionAssert.AreEqual(keys, MidiMelody.ReadMelody(path).ToArray());
        Assert.AreEqual("the user's own notes", File.ReadAllText(path + ".tmp"));
        CollectionAssert.AreEquivalent(new[] { "tune.mid", "tune.mid.tmp" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray(),
            "no temporary file left");
    }

    [TestMethod]
    public void SequencesAreWhitespaceSeparatedKeysOfFixedLength()
    {
        var melody = Enumerable.Range(0, 10).ToArray();
        var sequences = MidiMelody.ToSequences(melody, 4);
        CollectionAssert.AreEqual(new[] { "0 1 2 3", "4 5 6 7" }, sequences.ToArray());
        CollectionAssert.AreEqual(new[] { 4, 5, 6, 7 }, MidiMelody.ParseTokens(" 4  5\t6 7 "));
        var e = Assert.ThrowsExactly<FormatException>(() => MidiMelody.ParseTokens("3 88 2"));
        StringAssert.Contains(e.Message, "'88'");
        Assert.ThrowsExactly<FormatException>(() => MidiMelody.ParseTokens("3 -1"));
        Assert.ThrowsExactly<ArgumentException>(() => MidiMelody.Write(Path.Combine(TestSupport.TempDirectory(), "x.mid"), [1, 88]));
    }

    [TestMethod]
    public void ANonMidiFileIsAnErrorNamingIt()
    {
        string path = Path.Combine(TestSupport.TempDirectory(), "notes.mid");
        File.WriteAllText(path, "this is not a MIDI file at all");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => MidiMelody.ReadMelody(path));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "MThd");
    }

    [TestMethod]
    public void AFileWithOnlyDrumsOrFewNotesHasNoMelody()
    {
        string path = WriteMidi((0, 10, Line(40, _ => 60)), (1, 1, Line(3, _ => 70)));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => MidiMelody.ReadMelody(path));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "no melody");
        StringAssert.Contains(e.Message, "at most 3");
    }

    [TestMethod]
    public void TheDataSetSkipsBadFilesAndKeepsEachFileOnOneSide()
    {
        string folder = TestSupport.TempDirectory();
        for (int f = 0; f < 12; f++)
            MidiMelody.Write(Path.Combine(folder, $"tune{f}.mid"), Enumerable.Range(0, 70).Select(i => 5 * f + i % 3).ToArray());
        File.WriteAllText(Path.Combine(folder, "broken.mid"), "not midi");
        var data = MelodyDataset.Load(folder, 32);
        Assert.AreEqual(12, data.FileCount);
        Assert.AreEqual(1, data.Skipped.Count);
        StringAssert.Contains(data.Skipped[0], "broken.mid");
        Assert.AreEqual(24, data.Train.Count + data.Test.Count);   // 70 notes: two 32-token sequences a file
        // File f plays keys 5f..5f+2, so a sequence's lowest key / 5 is its file: none is on both sides.
        Assert.IsTrue(data.Test.Count > 0 && data.Train.Count > 0);
        static int FileOf(string s) => MidiMelody.ParseTokens(s).Min() / 5;
        var trainFiles = data.Train.Select(FileOf).ToHashSet();
        Assert.IsFalse(data.Test.Any(s => trainFiles.Contains(FileOf(s))));
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => MelodyDataset.Load(Path.Combine(folder, "missing")));
    }
}
