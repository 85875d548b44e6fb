using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Files;

/// <summary>Moves a module's parameters and buffers to and from <see cref="StoredTensor"/>s, exactly.</summary>
public static class StateDict
{
    /// <summary>Every entry of the module's state dict, in its order, as stored tensors (CPU, contiguous).</summary>
    public static List<StoredTensor> Export(nn.Module module)
    {
        var result = new List<StoredTensor>();
        foreach (var (name, tensor) in module.state_dict())
        {
            using var cpu = tensor.detach().cpu().contiguous();
            var type = cpu.dtype switch
            {
                ScalarType.Float32 => StoredType.Float32,
                ScalarType.Int64 => StoredType.Int64,
                var other => throw new NotSupportedException($"state entry {name} has unsupported dtype {other}"),
            };
            byte[] data = type == StoredType.Float32
                ? MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()).ToArray()
                : MemoryMarshal.AsBytes(cpu.data<long>().ToArray().AsSpan()).ToArray();
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
            result.Add(new StoredTensor(name, type, cpu.shape, data));
        }
        return result;
    }

    /// <summary>Loads stored tensors into the module; names and shapes must match its state dict exactly.</summary>
    public static void Import(nn.Module module, IReadOnlyList<StoredTensor> stored, string path)
    {
        var byName = stored.ToDictionary(t => t.Name);
        var state = module.state_dict();
        var missing = state.Keys.Where(k => !byName.ContainsKey(k)).ToList();
        var unexpected = byName.Keys.Where(k => !state.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new ModelFileException(path, 0, "tensors",
                $"tensors do not match the architecture (missing: {string.Join(", ", missing.Take(5))}; unexpected: {string.Join(", ", unexpected.Take(5))})");
        using var _ = no_grad();
        foreach (var (name, target) in state)
        {
            var s = byName[name];
            if (!s.Shape.SequenceEqual(target.shape))
                throw new ModelFileException(path, 0, $"tensor {name}", $"shape [{string.Join(",", s.Shape)}] does not match [{string.Join(",", target.shape)}]");
            using var source = s.Type == StoredType.Float32
                ? tensor(MemoryMarshal.Cast<byte, float>(s.Data).ToArray(), s.Shape)
                : tensor(MemoryMarshal.Cast<byte, long>(s.Data).ToArray(), s.Shape);
            target.copy_(source);
        }
    }
}
