using System.Text.Json.Nodes;
using AkashML.Inference.Generation;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Runtime;

/// <summary>Every kind of bad input gets its own exception type and a message that says what is wrong; the process keeps serving.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("akashml-badinput-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void A_missing_folder_is_a_DirectoryNotFoundException_naming_it()
    {
        var folder = Path.Combine(_temp, "nowhere");
        var error = Assert.Throws<DirectoryNotFoundException>(() => Model.Load(folder));
        Assert.Contains(folder, error.Message, StringComparison.Ordinal);
    }

    [NeedsSharedFact("models")]
    public void A_folder_without_genai_config_is_a_FileNotFoundException()
    {
        var folder = CopyModel("tiny-random-gpt2-fp32");
        File.Delete(Path.Combine(folder, "genai_config.json"));
        var error = Assert.Throws<FileNotFoundException>(() => Model.Load(folder));
        Assert.Contains("genai_config.json", error.Message, StringComparison.Ordinal);
    }

    [NeedsSharedFact("models")]
    public void A_missing_model_file_is_a_FileNotFoundException_naming_the_config_field()
    {
        var folder = CopyModel("tiny-random-gpt2-fp32");
        File.Delete(Path.Combine(folder, "past.onnx"));
        var error = Assert.Throws<FileNotFoundException>(() => Model.Load(folder));
        Assert.Contains("past.onnx", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.decoder.filename", error.Message, StringComparison.Ordinal);
    }

    [NeedsSharedFact("models")]
    public void A_corrupt_model_file_is_a_ModelLoadException_carrying_ORTs_error()
    {
        var folder = CopyModel("tiny-random-gpt2-fp32");
        File.WriteAllBytes(Path.Combine(folder, "past.onnx"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);
        var error = Assert.Throws<ModelLoadException>(() => Model.Load(folder));
        var inner = Assert.IsType<OnnxRuntimeException>(error.InnerException);
        Assert.Equal("CreateSession", inner.FailedCall);
        Assert.Contains("past.onnx", error.Message, StringComparison.Ordinal);
    }

    [NeedsSharedFact("models")]
    public void Missing_external_weights_are_a_ModelLoadException()
    {
        var folder = CopyModel("tiny-random-LlamaForCausalLM-fp16");
        File.Delete(Path.Combine(folder, "model.onnx.data"));
        var error = Assert.Throws<ModelLoadException>(() => Model.Load(folder));
        Assert.IsType<OnnxRuntimeException>(error.InnerException);
    }

    [NeedsSharedTheory("models")]
    [InlineData("model.vocab_size", "\"many\"")]
    [InlineData("model.context_length", "-4")]
    [InlineData("model.decoder.num_hidden_layers", "0")]
    [InlineData("model.decoder.filename", "\"\"")]
    [InlineData("search.top_p", "1.5")]
    [InlineData("search.num_beams", "0")]
    [InlineData("model.eos_token_id", "\"eos\"")]
    [InlineData("model.decoder.session_options.graph_optimization_level", "\"FAST\"")]
    [InlineData("model.decoder.session_options.intra_op_num_threads", "\"lots\"")]
    public void A_wrong_config_field_is_a_ModelConfigException_naming_the_field(string field, string jsonValue)
    {
        var folder = CopyModel("tiny-random-gpt2-fp32");
        EditConfig(folder, field, JsonNode.Parse(jsonValue));
        var error = Assert.Throws<ModelConfigException>(() => Model.Load(folder));
        Assert.Equal(field, error.Field);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [NeedsSharedTheory("models")]
    [InlineData("model.context_length")]
    [InlineData("model.vocab_size")]
    [InlineData("model.type")]
    [InlineData("model.decoder")]
    public void A_missing_required_config_field_is_a_ModelConfigException_naming_it(string field)
    {
        var folder = CopyModel("tiny-random-gpt2-fp32");
        EditConfig(folder, field, null, remove: true);
        var error = Assert.Throws<ModelConfigException>(() => Model.Load(folder));
        Assert.Equal(field, error.Field);
    }

    [NeedsSharedFact("models")]
    public void Config_that_is_not_JSON_is_a_ModelConfigException()
    {
        var folder = CopyModel("tiny-random-gpt2-fp32");
        File.WriteAllText(Path.Combine(folder, "genai_config.json"), "{ \"model\": ");
        var error = Assert.Throws<ModelConfigException>(() => Model.Load(folder));
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [NeedsSharedFact("models")]
    public void Config_names_that_do_not_match_the_graph_are_a_ModelLoadException_listing_the_graph_inputs()
    {
        var folder = CopyModel("tiny-random-gpt2-fp32");
        EditConfig(folder, "model.decoder.inputs.input_ids", JsonValue.Create("tokens"));
        var error = Assert.Throws<ModelLoadException>(() => Model.Load(folder));
        Assert.Contains("'tokens'", error.Message, StringComparison.Ordinal);
        Assert.Contains("input_ids", error.Message, StringComparison.Ordinal);
    }

    [NeedsSharedFact("models")]
    public void A_KV_template_that_matches_nothing_leaves_graph_inputs_unfed_and_says_which()
    {
        var folder = CopyModel("tiny-random-gpt2-fp32");
        EditConfig(folder, "model.decoder.inputs.past_names", JsonValue.Create("cache_%d"));
        var error = Assert.Throws<UnsupportedArchitectureException>(() => Model.Load(folder));
        Assert.Contains("past_0", error.Message, StringComparison.Ordinal);
    }

    [NeedsSharedFact("models/tiny-random-gpt2-fp16-cuda")]
    public void Asking_for_CUDA_on_a_CPU_only_library_names_the_provider()
    {
        var error = Assert.Throws<ExecutionProviderUnavailableException>(
            () => Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp16-cuda"), new ModelOptions { ExecutionProvider = ExecutionProvider.Cuda }));
        Assert.Equal(ExecutionProvider.Cuda, error.Provider);
        Assert.Contains("CUDAExecutionProvider", error.Message, StringComparison.Ordinal);
    }

    [NeedsSharedFact("models/tiny-random-gpt2-fp32")]
    public void A_prompt_longer_than_the_context_is_a_ContextLengthExceededException()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"));
        using var generator = new Generator(model, new GeneratorParams(model));
        var prompt = Enumerable.Repeat(5, model.ContextLength + 1).ToArray();
        var error = Assert.Throws<ContextLengthExceededException>(() => generator.AppendTokens(prompt));
        Assert.Equal(model.ContextLength + 1, error.RequestedLength);
        Assert.Equal(model.ContextLength, error.MaxLength);
        Assert.Equal(0, generator.SequenceLength);
    }

    [NeedsSharedTheory("models/tiny-random-gpt2-fp32")]
    [InlineData("max_length", 513)]
    [InlineData("batch_size", 0)]
    [InlineData("num_beams", 257)]
    [InlineData("top_p", 2)]
    [InlineData("temperature", -1)]
    [InlineData("repetition_penalty", 0)]
    [InlineData("min_length", -1)]
    public void Invalid_generation_parameters_are_ArgumentOutOfRange_naming_the_option(string option, double value)
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"));
        var parameters = new GeneratorParams(model) { DoSample = true };
        switch (option)
        {
            case "max_length": parameters.MaxLength = (int)value; break;
            case "batch_size": parameters.BatchSize = (int)value; break;
            case "num_beams": parameters.NumBeams = (int)value; break;
            case "top_p": parameters.TopP = (float)value; break;
            case "temperature": parameters.Temperature = (float)value; break;
            case "repetition_penalty": parameters.RepetitionPenalty = (float)value; break;
            case "min_length": parameters.MinLength = (int)value; break;
        }

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Generator(model, parameters));
        Assert.Equal(option, error.ParamName);
    }

    [NeedsSharedFact("models/tiny-random-gpt2-fp32")]
    public void Unknown_token_ids_and_misuse_are_rejected_without_changing_the_generator()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"));
        using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = 10 });
        Assert.Throws<InvalidOperationException>(() => generator.GenerateNextToken());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => generator.AppendTokens([1, 2, 1000]));
        Assert.Contains("1000", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => generator.AppendTokens([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.RewindTo(3));
        Assert.Equal(0, generator.SequenceLength);

        generator.AppendTokens([0, 0, 195, 731]);
        while (!generator.IsDone)
        {
            generator.GenerateNextToken();
        }

        Assert.Equal([0, 0, 195, 731, 731, 114, 114, 114, 114, 114], generator.GetSequence(0).ToArray());
        Assert.Throws<InvalidOperationException>(() => generator.GenerateNextToken());
    }

    [NeedsSharedFact("models")]
    public void After_every_kind_of_load_failure_other_models_still_load_and_run()
    {
        var corrupt = CopyModel("tiny-random-gpt2-fp32");
        File.WriteAllBytes(Path.Combine(corrupt, "past.onnx"), [1, 2, 3, 4]);
        Assert.Throws<ModelLoadException>(() => Model.Load(corrupt));
        Assert.Throws<DirectoryNotFoundException>(() => Model.Load(Path.Combine(_temp, "missing")));
        Assert.Throws<ExecutionProviderUnavailableException>(
            () => Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"), new ModelOptions { ExecutionProvider = ExecutionProvider.DirectML }));

        using var llama = Model.Load(SharedTestData.PathOf("models/tiny-random-LlamaForCausalLM-fp16"));
        using var generator = new Generator(llama, new GeneratorParams(llama) { MaxLength = 10 });
        generator.AppendTokens([0, 0, 195, 731]);
        while (!generator.IsDone)
        {
            generator.GenerateNextToken();
        }

        Assert.Equal([0, 0, 195, 731, 29592, 4877, 18112, 22607, 12936, 997], generator.GetSequence(0).ToArray());
    }

    private string CopyModel(string name)
    {
        var source = SharedTestData.PathOf("models/" + name);
        var target = Path.Combine(_temp, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            var copy = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, copy);
            File.SetAttributes(copy, FileAttributes.Normal);
        }

        return target;
    }

    private static void EditConfig(string folder, string field, JsonNode? value, bool remove = false)
    {
        var path = Path.Combine(folder, "genai_config.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var parts = field.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = (node[part] ??= new JsonObject()).AsObject();
        }

        if (remove)
        {
            node.Remove(parts[^1]);
        }
        else
        {
            node[parts[^1]] = value;
        }

        File.WriteAllText(path, root.ToJsonString());
    }
}
