using System.Reflection;
using AkashML.Inference.Native;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Native;

public sealed class OrtApiBindingTests
{
    [Fact]
    public void The_provisioned_library_loads_and_reports_version_and_cpu_provider()
    {
        Assert.True(OnnxRuntimeLibrary.IsSupported, OnnxRuntimeLibrary.NotSupportedReason);
        Assert.Null(OnnxRuntimeLibrary.NotSupportedReason);
        Assert.StartsWith("1.", OnnxRuntimeLibrary.Version, StringComparison.Ordinal);
        Assert.Contains("CPUExecutionProvider", OnnxRuntimeLibrary.AvailableProviders);
        Assert.False(string.IsNullOrEmpty(OnnxRuntimeLibrary.BuildInfo));
    }

    [Fact]
    public void The_library_is_the_one_the_NuGet_package_placed_beside_the_tests_with_telemetry_off()
    {
        OnnxRuntimeLibrary.EnsureAvailable();
        Assert.Equal("1.32.0", OnnxRuntimeLibrary.Version);
        var expected = Path.Combine(AppContext.BaseDirectory, "runtimes", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "native", OnnxRuntimeLibrary.LibraryFileName);
        Assert.Equal(expected, OnnxRuntimeLibrary.LoadedFrom);
        Assert.False(OnnxRuntimeLibrary.TelemetryEnabled);
    }

    [Fact]
    public void Configuring_the_loaded_library_again_is_accepted_and_another_one_is_refused()
    {
        OnnxRuntimeLibrary.EnsureAvailable();
        var loaded = OnnxRuntimeLibrary.LoadedFrom!;
        OnnxRuntimeLibrary.Configure(null);
        OnnxRuntimeLibrary.Configure(loaded);
        OnnxRuntimeLibrary.Configure(Path.GetDirectoryName(loaded));
        var other = Assert.Throws<InvalidOperationException>(() => OnnxRuntimeLibrary.Configure("/nonexistent/libonnxruntime.so"));
        Assert.Contains(loaded, other.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => OnnxRuntimeLibrary.Configure(null, enableTelemetry: true));
    }

    [Fact]
    public void CUDA_is_reported_unusable_by_the_CPU_package_naming_the_provider()
    {
        var problem = ExecutionProviderCheck.Problem(ExecutionProvider.Cuda);
        Assert.NotNull(problem);
        Assert.Contains("CUDAExecutionProvider", problem, StringComparison.Ordinal);
        Assert.Null(ExecutionProviderCheck.Problem(ExecutionProvider.Cpu));
    }

    [Fact]
    public void Every_function_pointer_is_bound_and_only_blittable_types_cross_the_boundary()
    {
        OnnxRuntimeLibrary.EnsureAvailable();
        var fields = typeof(OnnxRuntimeLibrary).Assembly.GetType("AkashML.Inference.Native.OrtApi")!
            .GetFields(BindingFlags.Static | BindingFlags.NonPublic)
            .Where(f => f.FieldType.IsFunctionPointer)
            .ToArray();
        Assert.True(fields.Length >= 60, $"only {fields.Length} function pointers found");
        foreach (var field in fields)
        {
            var value = field.GetValue(null);
            var address = value switch
            {
                IntPtr p => p,
                _ => throw new InvalidOperationException($"{field.Name}: unexpected reflection value {value?.GetType()}"),
            };
            Assert.True(address != IntPtr.Zero, $"{field.Name} is not bound");
            Assert.True(field.FieldType.IsUnmanagedFunctionPointer, $"{field.Name} must be an unmanaged function pointer");

            foreach (var type in field.FieldType.GetFunctionPointerParameterTypes().Append(field.FieldType.GetFunctionPointerReturnType()))
            {
                // bool and char have no single C layout; strings and arrays would need marshalling.
                var ok = type == typeof(void) || type == typeof(IntPtr) || type == typeof(UIntPtr) || type == typeof(int) ||
                         type == typeof(uint) || type == typeof(long) || type.IsPointer || type.IsEnum;
                Assert.True(ok, $"{field.Name} passes {type}, which is not blittable as a C argument");
                if (type.IsEnum)
                {
                    Assert.Equal(typeof(int), Enum.GetUnderlyingType(type));
                }
            }
        }
    }

    [Fact]
    public void A_failed_call_becomes_an_OnnxRuntimeException_with_code_call_and_message()
    {
        using var options = new OrtSessionOptions();
        var missing = Path.Combine(Path.GetTempPath(), "akashml-no-such-model-" + Guid.NewGuid().ToString("N") + ".onnx");
        var error = Assert.Throws<OnnxRuntimeException>(() => OrtInferenceSession.Create(missing, options).Dispose());
        Assert.Equal("CreateSession", error.FailedCall);
        Assert.Equal(OrtErrorCode.NoSuchFile, error.ErrorCode);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_execution_provider_name_is_rejected_by_ORT_with_its_message()
    {
        using var options = new OrtSessionOptions();
        var error = Assert.Throws<OnnxRuntimeException>(() => options.AppendExecutionProvider(ExecutionProvider.DirectML, new Dictionary<string, string>()));
        Assert.Equal("SessionOptionsAppendExecutionProvider", error.FailedCall);
        Assert.False(string.IsNullOrWhiteSpace(error.NativeMessage));
    }

    [NeedsSharedFact("models/tiny-graph-capture-gqa")]
    public void The_session_signature_is_read_from_the_graph()
    {
        using var options = new OrtSessionOptions();
        using var session = OrtInferenceSession.Create(Path.Combine(SharedTestData.PathOf("models/tiny-graph-capture-gqa"), "model.onnx"), options);
        Assert.Contains(session.Inputs, i => i.Name == "input_ids" && i.ElementType == TensorElementType.Int64);
        Assert.Contains(session.Outputs, o => o.Name == "logits" && o.ElementType == TensorElementType.Float16);
        Assert.Equal(-1, session.FindInput("past_key_values.0.key")!.Dimensions[0]);
        Assert.Equal(32, session.FindInput("past_key_values.0.key")!.Dimensions[3]);
    }
}
