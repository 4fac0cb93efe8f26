using AkashML.Inference.Catalog.Hub;

namespace AkashML.Inference.Tests.Hub;

public sealed class HubGlobTests
{
    [Theory]
    [InlineData("cpu/int4/*", "cpu/int4/model.onnx", true)]
    [InlineData("cpu/int4/*", "cpu/int4/sub/model.onnx", true)] // a matched folder selects its contents
    [InlineData("cpu/int4/*", "cpu/int4-rtn/model.onnx", false)]
    [InlineData("cpu/int4/*", "cpu/model.onnx", false)]
    [InlineData("cpu/int4", "cpu/int4/genai_config.json", true)]
    [InlineData("cpu/int4/", "cpu/int4/genai_config.json", true)]
    [InlineData("cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4/*", "cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4/phi3.onnx.data", true)]
    [InlineData("cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4/*", "cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4-other/phi3.onnx", false)]
    [InlineData("*.json", "genai_config.json", true)]
    [InlineData("*.json", "cpu/genai_config.json", false)]
    [InlineData("**/*.json", "cpu/int4/genai_config.json", true)]
    [InlineData("**/*.json", "genai_config.json", true)]
    [InlineData("**/int4/*", "a/b/int4/x", true)]
    [InlineData("cpu/**/genai_config.json", "cpu/genai_config.json", true)]
    [InlineData("cpu/**/genai_config.json", "gpu/int4/genai_config.json", false)]
    [InlineData("model.onnx?data", "model.onnx.data", true)]
    [InlineData("model.onnx?data", "model.onnxdata", false)]
    [InlineData("cpu-*-acc-level-?/*", "cpu-int4-rtn-acc-level-4/a", true)]
    [InlineData("cpu-*-acc-level-?/*", "cpu-int4-rtn-acc-level-44/a", false)]
    [InlineData("CPU/*", "cpu/a", false)]
    public void Matches_like_gitignore_patterns(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, new HubGlob(pattern).IsMatch(path));
    }
}
