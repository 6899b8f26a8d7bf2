using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.Gan.Core.Native;

/// <summary>
/// Just enough of a 64-bit little-endian ELF reader to see and edit symbol versioning:
/// the versions a shared library needs (<c>.gnu.version_r</c>), the versions it defines
/// (<c>.gnu.version_d</c>), and which dynamic symbol is bound to which version (<c>.gnu.version</c>).
/// </summary>
internal sealed class ElfVersionInfo
{
    private const uint SHT_DYNSYM = 11;
    private const uint SHT_GNU_verdef = 0x6ffffffd;
    private const uint SHT_GNU_verneed = 0x6ffffffe;
    private const uint SHT_GNU_versym = 0x6fffffff;

    /// <summary>ELF's flag on a needed version that makes its absence a warning, not a load failure.</summary>
    public const ushort VER_FLG_WEAK = 0x2;

    private readonly byte[] _image;
    private readonly List<Section> _sections = new();

    /// <summary>One needed version (an <c>Elf64_Vernaux</c>), with the file offset of its flags field.</summary>
    public sealed record NeededVersion(string File, string Name, ushort Flags, ushort Index, long FlagsOffset);

    /// <summary>One dynamic symbol, its version index and the file offset of that index.</summary>
    public sealed record VersionedSymbol(string Name, ushort VersionIndex, long VersionOffset);

    private sealed record Section(uint Type, long Offset, long Size, uint Link, uint Info, long EntrySize);

    public IReadOnlyList<NeededVersion> Needed { get; }
    public IReadOnlyList<string> Defined { get; }
    public IReadOnlyList<VersionedSymbol> Symbols { get; }

    private ElfVersionInfo(byte[] image)
    {
        _image = image;
        ReadSectionHeaders();
        Needed = ReadNeeded();
        Defined = ReadDefined();
        Symbols = ReadSymbols();
    }

    /// <summary>Reads <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file if it is not a 64-bit little-endian ELF.</summary>
    public static ElfVersionInfo Read(string path)
    {
        var image = File.ReadAllBytes(path);
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            throw new InvalidDataException($"'{path}' is not an ELF file (found {image.Length} bytes without the ELF magic).");
        if (image[4] != 2 || image[5] != 1)
            throw new InvalidDataException($"'{path}' is not a 64-bit little-endian ELF file (class {image[4]}, data {image[5]}).");
        return new ElfVersionInfo(image);
    }

    /// <summary>The file's bytes with the edits made through <see cref="SetFlags"/> and <see cref="SetVersionIndex"/>.</summary>
    public byte[] Image => _image;

    public void SetFlags(NeededVersion version, ushort flags) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_image.AsSpan((int)version.FlagsOffset), flags);

    public void SetVersionIndex(VersionedSymbol symbol, ushort index) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_image.AsSpan((int)symbol.VersionOffset), index);

    private ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(_image.AsSpan((int)at));
    private uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(_image.AsSpan((int)at));
    private long I64(long at) => (long)BinaryPrimitives.ReadUInt64LittleEndian(_image.AsSpan((int)at));

    private void ReadSectionHeaders()
    {
        long shoff = I64(0x28);
        int shentsize = U16(0x3a), shnum = U16(0x3c);
        for (int i = 0; i < shnum; i++)
        {
            long at = shoff + (long)i * shentsize;
            _sections.Add(new Section(U32(at + 4), I64(at + 0x18), I64(at + 0x20), U32(at + 0x28), U32(at + 0x2c), I64(at + 0x38)));
        }
    }

    private string Str(Section table, long offset)
    {
        int start = (int)(table.Offset + offset), end = start;
        while (_image[end] != 0) end++;
        return Encoding.ASCII.GetString(_image, start, end - start);
    }

    private List<NeededVersion> ReadNeeded()
    {
        var result = new List<NeededVersion>();
        foreach (var s in _sections.Where(s => s.Type == SHT_GNU_verneed))
        {
            var strtab = _sections[(int)s.Link];
            long at = s.Offset;
            for (uint n = 0; n < s.Info; n++)
            {
                string file = Str(strtab, U32(at + 4));
                int count = U16(at + 2);
                long aux = at + U32(at + 8);
                for (int k = 0; k < count; k++)
                {
                    result.Add(new NeededVersion(file, Str(strtab, U32(aux + 8)), U16(aux + 4), U16(aux + 6), aux + 4));
                    aux += U32(aux + 12);
                }
                long next = U32(at + 12);
                if (next == 0) break;
                at += next;
            }
        }
        return result;
    }

    private List<string> ReadDefined()
    {
        var result = new List<string>();
        foreach (var s in _sections.Where(s => s.Type == SHT_GNU_verdef))
        {
            var strtab = _sections[(int)s.Link];
            long at = s.Offset;
            for (uint n = 0; n < s.Info; n++)
            {
                // The first Verdaux of each Verdef names the version it defines.
                result.Add(Str(strtab, U32(at + U32(at + 12))));
                long next = U32(at + 16);
                if (next == 0) break;
                at += next;
            }
        }
        return result;
    }

    private List<VersionedSymbol> ReadSymbols()
    {
        var result = new List<VersionedSymbol>();
        var dynsym = _sections.FirstOrDefault(s => s.Type == SHT_DYNSYM);
        var versym = _sections.FirstOrDefault(s => s.Type == SHT_GNU_versym);
        if (dynsym is null || versym is null) return result;
        var strtab = _sections[(int)dynsym.Link];
        long count = dynsym.Size / dynsym.EntrySize;
        for (long i = 0; i < count; i++)
        {
            string name = Str(strtab, U32(dynsym.Offset + i * dynsym.EntrySize));
            long versionOffset = versym.Offset + 2 * i;
            result.Add(new VersionedSymbol(name, U16(versionOffset), versionOffset));
        }
        return result;
    }
}
