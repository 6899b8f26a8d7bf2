// Added to projects that reference Microsoft.ML.Gan (see Microsoft.ML.Gan.targets).
namespace Microsoft.ML.Gan.Generated
{
    internal static class LibTorchSharpFixInitializer
    {
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void Initialize() => Microsoft.ML.Gan.LibTorchSharpFix.Apply();
    }
}
