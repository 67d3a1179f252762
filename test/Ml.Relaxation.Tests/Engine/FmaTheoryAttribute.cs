using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Tests.Engine;

/// <summary>A theory about the AVX2/FMA kernel: reported as skipped, with the reason, on a machine that lacks it.</summary>
public sealed class FmaTheoryAttribute : TheoryAttribute
{
    public FmaTheoryAttribute()
    {
        if (!GemmKernel.UsesFma) Skip = "This machine has no AVX2/FMA, so the FMA kernel and its variants do not run here.";
    }
}
