using System.Text;
using System.Text.Json.Nodes;
using VqVae.Codec.Models.Files;

namespace VqVae.Codec.Models.Training;

/// <summary>
/// Everything needed to resume a training run exactly: the model file (weights and buffers), the
/// optimiser's state, the RNG state, and the position in the run (epoch and batch). Written atomically.
/// Layout: "VQZCKPT1" | u32 n + JSON state | u64 n + model file | u64 n + optimiser state | u64 n + RNG state.
/// </summary>
public sealed record Checkpoint(JsonObject State, byte[] Model, byte[] Optimizer, byte[] Rng)
{
    private static readonly byte[] Magic = "VQZCKPT1"u8.ToArray();

    /// <summary>The next epoch to run (0-based).</summary>
    public int Epoch => (int?)State["epoch"] ?? 0;

    /// <summary>The next batch of <see cref="Epoch"/> to run.</summary>
    public int Batch => (int?)State["batch"] ?? 0;

    /// <summary>Steps done.</summary>
    public long Step => (long?)State["step"] ?? 0;

    /// <summary>The held-out error (<see cref="ITrainingStage{T}.ConvergenceMetric"/>) after the last finished epoch, if recorded.</summary>
    public double? HeldOutError => (double?)State["heldOutError"];

    /// <summary>Why the run stopped before <see cref="TrainOptions.Epochs"/> ("plateau"), or null while it runs.</summary>
    public string? StopReason => (string?)State["stopped"];

    /// <summary>Writes the checkpoint atomically.</summary>
    public void Save(string path)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            var json = Encoding.UTF8.GetBytes(State.ToJsonString());
            w.Write(json.Length);
            w.Write(json);
            foreach (var part in new[] { Model, Optimizer, Rng })
            {
                w.Write((long)part.Length);
                w.Write(part);
            }
        }
        AtomicFile.Write(path, stream.GetBuffer().AsSpan(0, (int)stream.Length));
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    public static Checkpoint Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        using var r = new BinaryReader(new MemoryStream(bytes));
        try
        {
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new ModelFileException(path, 0, "magic", "not a vqz training checkpoint");
            int jsonLength = r.ReadInt32();
            if (jsonLength < 0 || jsonLength > bytes.Length) throw new ModelFileException(path, 8, "state", "bad state length");
            var state = JsonNode.Parse(r.ReadBytes(jsonLength)) as JsonObject
                        ?? throw new ModelFileException(path, 12, "state", "state is not a JSON object");
            var parts = new byte[3][];
            for (int i = 0; i < 3; i++)
            {
                long n = r.ReadInt64();
                if (n < 0 || n > bytes.Length - r.BaseStream.Position)
                    throw new ModelFileException(path, r.BaseStream.Position - 8, "part", "truncated checkpoint");
                parts[i] = r.ReadBytes((int)n);
            }
            return new Checkpoint(state, parts[0], parts[1], parts[2]);
        }
        catch (EndOfStreamException)
        {
            throw new ModelFileException(path, r.BaseStream.Position, "file", "truncated checkpoint");
        }
    }

    /// <summary>The checkpoint path that belongs to a model output path.</summary>
    public static string PathFor(string modelPath) => modelPath + ".ckpt";
}
