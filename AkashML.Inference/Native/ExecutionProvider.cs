namespace AkashML.Inference.Native;

/// <summary>Where a model's session runs. CPU is always present; the others need an ORT build that has them.</summary>
public enum ExecutionProvider
{
    Cpu = 0,
    Cuda = 1,
    DirectML = 2,
}
