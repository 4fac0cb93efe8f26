using System.Buffers.Binary;
using System.Text;
using AkashML.Inference.Building.Onnx;

namespace AkashML.Inference.Tests.Building;

public sealed class OnnxModelWriterTests
{
    [Fact]
    public void Varints_and_fields_use_the_protobuf_wire_layout()
    {
        var buffer = new ProtoBuffer();
        buffer.WriteInt64(1, 150);
        buffer.WriteString(2, "ab");
        buffer.WriteFloat(3, 1.5f);
        buffer.WriteInt64(4, -1);

        byte[] expected =
        [
            0x08, 0x96, 0x01,
            0x12, 0x02, (byte)'a', (byte)'b',
            0x1D, 0x00, 0x00, 0xC0, 0x3F,
            0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
        ];
        Assert.Equal(expected, buffer.ToArray());
    }

    [Fact]
    public void A_written_model_decodes_back_to_the_same_graph()
    {
        using var temp = new TempDirectory();
        byte[] bytes;
        using (var external = new ExternalDataFile(temp.Combine("model.onnx.data"), "model.onnx.data"))
        {
            var graph = new OnnxGraph("g", external);
            graph.AddInput("x", OnnxDataType.Float, "batch", 4);
            graph.AddOutput("y", OnnxDataType.Float, "batch", 3);
            var big = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();
            graph.AddFloats("w", [4, 250], big);
            graph.AddInt64s("axes", [1], [1]);
            graph.AddNode("MatMul", ["x", "w"], ["y"], "com.example", "node0", OnnxAttribute.FromInt("k", -3), OnnxAttribute.FromFloat("eps", 0.25f), OnnxAttribute.FromInts("perm", 1, 0), OnnxAttribute.FromString("mode", "fast"));
            bytes = OnnxModelWriter.Serialize(graph, [new(string.Empty, 17), new("com.example", 1)], "test", "1");
        }

        var model = Decode(bytes);
        Assert.Equal(OnnxModelWriter.IrVersion, (long)model[1].Single());
        Assert.Equal("test", Text(model[2].Single()));
        var opsets = model[8].Select(o => Decode((byte[])o)).ToList();
        Assert.Equal(2, opsets.Count);
        Assert.False(opsets[0].ContainsKey(1));
        Assert.Equal(17L, opsets[0][2].Single());
        Assert.Equal("com.example", Text(opsets[1][1].Single()));

        var graphFields = Decode((byte[])model[7].Single());
        Assert.Equal("g", Text(graphFields[2].Single()));
        var node = Decode((byte[])graphFields[1].Single());
        Assert.Equal(["x", "w"], node[1].Select(Text));
        Assert.Equal("y", Text(node[2].Single()));
        Assert.Equal("node0", Text(node[3].Single()));
        Assert.Equal("MatMul", Text(node[4].Single()));
        Assert.Equal("com.example", Text(node[7].Single()));
        var attributes = node[5].Select(a => Decode((byte[])a)).ToDictionary(a => Text(a[1].Single()));
        Assert.Equal(-3L, attributes["k"][3].Single());
        Assert.Equal(2L, attributes["k"][20].Single());
        Assert.Equal(0.25f, BitConverter.Int32BitsToSingle((int)(uint)attributes["eps"][2].Single()));
        Assert.Equal([1L, 0L], attributes["perm"][8].Cast<long>());
        Assert.Equal(7L, attributes["perm"][20].Single());
        Assert.Equal("fast", Text(attributes["mode"][4].Single()));

        var initializers = graphFields[5].Select(t => Decode((byte[])t)).ToDictionary(t => Text(t[8].Single()));
        var w = initializers["w"];
        Assert.Equal([4L, 250L], w[1].Cast<long>());
        Assert.Equal(1L, w[2].Single());
        Assert.Equal(1L, w[14].Single());
        Assert.False(w.ContainsKey(9));
        var entries = w[13].Select(e => Decode((byte[])e)).ToDictionary(e => Text(e[1].Single()), e => Text(e[2].Single()));
        Assert.Equal("model.onnx.data", entries["location"]);
        Assert.Equal("4000", entries["length"]);
        var data = File.ReadAllBytes(temp.Combine("model.onnx.data"));
        var offset = int.Parse(entries["offset"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, offset % 4096);
        Assert.Equal(999f, BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(offset + (999 * 4))));

        var axes = initializers["axes"];
        Assert.Equal(7L, axes[2].Single());
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0], (byte[])axes[9].Single());

        var input = Decode((byte[])graphFields[11].Single());
        Assert.Equal("x", Text(input[1].Single()));
        var tensorType = Decode((byte[])Decode((byte[])input[2].Single())[1].Single());
        Assert.Equal(1L, tensorType[1].Single());
        var dims = Decode((byte[])tensorType[2].Single())[1].Select(d => Decode((byte[])d)).ToList();
        Assert.Equal("batch", Text(dims[0][2].Single()));
        Assert.Equal(4L, dims[1][1].Single());
    }

    [Fact]
    public void Node_names_are_unique_and_initializer_names_may_not_repeat()
    {
        var graph = new OnnxGraph("g", null);
        graph.AddNode("Relu", ["a"], ["b"], name: "n");
        graph.AddNode("Relu", ["b"], ["c"], name: "n");
        Assert.Equal(2, graph.Nodes.Select(n => n.Name).Distinct().Count());
        graph.AddFloats("w", [1], [1f]);
        Assert.Throws<InvalidOperationException>(() => graph.AddFloats("w", [1], [2f]));
    }

    /// <summary>Decodes one message into field number → values (varints as long, fixed32 as uint, bytes as byte[]).</summary>
    internal static Dictionary<int, List<object>> Decode(byte[] message)
    {
        var result = new Dictionary<int, List<object>>();
        var reader = new ProtoReader(message);
        while (reader.Next())
        {
            object value = reader.WireType switch
            {
                0 => reader.ReadInt64(),
                2 => reader.ReadBytes().ToArray(),
                5 => BitConverter.SingleToUInt32Bits(reader.ReadFloat()),
                _ => throw new InvalidDataException($"wire type {reader.WireType}"),
            };
            if (!result.TryGetValue(reader.Field, out var list))
            {
                list = [];
                result[reader.Field] = list;
            }

            list.Add(value);
        }

        return result;
    }

    internal static string Text(object value) => Encoding.UTF8.GetString((byte[])value);
}
