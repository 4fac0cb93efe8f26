namespace AkashML.Inference.Native;

/// <summary>A call into ONNX Runtime returned a failed <c>OrtStatus</c>; carries ORT's code and message.</summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException()
    {
    }

    public OnnxRuntimeException(string message)
        : base(message)
    {
    }

    public OnnxRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OnnxRuntimeException(OrtErrorCode errorCode, string failedCall, string nativeMessage)
        : base($"ONNX Runtime {failedCall} failed ({errorCode}): {nativeMessage}")
    {
        ErrorCode = errorCode;
        FailedCall = failedCall;
        NativeMessage = nativeMessage;
    }

    /// <summary>The status code ORT reported.</summary>
    public OrtErrorCode ErrorCode { get; } = OrtErrorCode.Fail;

    /// <summary>The OrtApi function that failed.</summary>
    public string FailedCall { get; } = string.Empty;

    /// <summary>ORT's own message, unchanged.</summary>
    public string NativeMessage { get; } = string.Empty;
}
