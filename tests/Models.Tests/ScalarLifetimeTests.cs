using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>
/// TorchSharp turns numbers (x * 0.5, the alpha 1 of x + y, the 2 of square(), arange's start and step) into
/// temporary Scalars that nothing holds once libtorch has their handle: a GC on another thread can finalize one
/// while libtorch reads it (CI's "toFloat at c10/core/Scalar.h" in ResidualStack). The Models code makes its
/// Scalars only in <see cref="ScalarLifetimes"/>, which holds each until the native call returns; this scan of
/// the compiled IL keeps it so.
/// </summary>
public sealed class ScalarLifetimeTests
{
    [Fact]
    public void No_models_method_calls_a_torchsharp_member_that_makes_a_scalar_it_does_not_keep()
    {
        var found = ScalarScan.Assembly(typeof(ScalarLifetimes).Assembly, allowed: typeof(ScalarLifetimes));
        Assert.True(found.Count == 0,
            $"{found.Count} calls make a TorchSharp Scalar that nothing holds (use ScalarLifetimes, or add the operation there):\n"
            + string.Join("\n", found));
    }

    [Fact]
    public void The_scan_finds_the_scalar_of_tensor_plus_tensor_and_of_a_number_operand()
    {
        Assert.Equal(["Tensor.op_Addition(Tensor, Tensor)"], ScalarScan.Method(Of(nameof(UnheldAlpha))));
        Assert.Equal(["Tensor.op_Multiply(Tensor, Double)"], ScalarScan.Method(Of(nameof(UnheldNumber))));
        Assert.Equal(["Scalar.op_Implicit(Int32)"], ScalarScan.Method(Of(nameof(UnheldImplicit))));
        Assert.Equal(["Tensor.square()"], ScalarScan.Method(Of(nameof(UnheldSquare))));
        Assert.Empty(ScalarScan.Method(Of(nameof(Held))));
        Assert.Contains(ScalarScan.Assembly(typeof(ScalarLifetimeTests).Assembly, allowed: typeof(ScalarLifetimes)),
            f => f.StartsWith($"{typeof(ScalarLifetimeTests).FullName}::{nameof(UnheldAlpha)}:", StringComparison.Ordinal));
    }

    [Fact]
    public void The_helpers_compute_what_the_torchsharp_operators_computed()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var x = randn(4, 6);
        var y = randn(4, 6);
        Tensor[] expected;
        // The operators' own Scalars are held by nothing: no GC (so no finalizer) may run while libtorch reads them.
        Assert.True(GC.TryStartNoGCRegion(16 << 20));
        try
        {
            expected =
            [
                x + y, x + 1e-5, x - 0.5, x * 0.3, 2 * x, x / 0.7, x / 3, x / 3L, x.square(), x.clamp_min(1e-3),
                x.clone().add_(y), x.clone().add_(y, alpha: 0.01), arange(7), arange(7L),
                -arange(5, dtype: ScalarType.Float32) / 0.9, full(3, 4L, dtype: ScalarType.Int64),
            ];
        }
        finally
        {
            GC.EndNoGCRegion();
        }
        Tensor[] actual =
        [
            x.Plus(y), x.Plus(1e-5), x.Minus(0.5), x.Times(0.3), x.Times(2), x.DividedBy(0.7), x.DividedBy(3), x.DividedBy(3L), x.Squared(), x.ClampMin(1e-3),
            x.clone().Add_(y), x.clone().Add_(y, alpha: 0.01), ScalarLifetimes.Arange(7), ScalarLifetimes.Arange(7L),
            (-ScalarLifetimes.Arange(5, ScalarType.Float32)).DividedBy(0.9), ScalarLifetimes.Full(3, 4, ScalarType.Int64),
        ];
        for (int i = 0; i < expected.Length; i++) AssertSameBits(expected[i], actual[i], i);
    }

    private static void AssertSameBits(Tensor expected, Tensor actual, int i)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.contiguous().bytes.SequenceEqual(actual.contiguous().bytes), $"case {i}: {expected.ToString(TorchSharp.TensorStringStyle.Julia)}\n!=\n{actual.ToString(TorchSharp.TensorStringStyle.Julia)}");
    }

    private static MethodInfo Of(string name) =>
        typeof(ScalarLifetimeTests).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;

    // What the scan must report (and, last, what it must not).
    private static Tensor UnheldAlpha(Tensor x, Tensor y) => x + y;
    private static Tensor UnheldNumber(Tensor x) => x * 0.5;
    private static Tensor UnheldImplicit(Tensor x) => x.clamp_min(1);
    private static Tensor UnheldSquare(Tensor x) => x.square();
    private static Tensor Held(Tensor x, Tensor y) => x.Plus(y).Times(0.5).ClampMin(1).Squared();
}

/// <summary>
/// Finds, in compiled IL, the calls to TorchSharp members that make a Scalar and do not keep it: Scalar's
/// conversions (and any other TorchSharp member returning a Scalar) called directly, or TorchSharp members that
/// call one within <see cref="Depth"/> further TorchSharp calls (Tensor.add(Tensor) makes its alpha 1).
/// </summary>
internal static class ScalarScan
{
    private const int Depth = 3;
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
    private static readonly Assembly TorchSharpAssembly = typeof(Scalar).Assembly;
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);
    private static readonly Dictionary<(MethodBase, int), bool> Memo = [];
    private static readonly Lock Gate = new();

    /// <summary>"Type::Method: member" for every such call in the assembly's methods outside <paramref name="allowed"/>.</summary>
    public static List<string> Assembly(Assembly assembly, Type allowed)
    {
        var found = new List<string>();
        foreach (var type in assembly.GetTypes())
        {
            if (Within(type, allowed)) continue;
            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
                found.AddRange(Method(method).Select(call => $"{type.FullName}::{method.Name}: {call}"));
        }
        return found;
    }

    /// <summary>The TorchSharp members the method calls that make a Scalar they do not keep.</summary>
    public static List<string> Method(MethodBase method)
    {
        lock (Gate)
            return Calls(method).Where(c => IsTorchSharp(c) && MakesScalar(c, 0)).Select(Name).ToList();
    }

    private static bool Within(Type? type, Type allowed)
    {
        for (; type is not null; type = type.DeclaringType)
            if (type == allowed) return true;
        return false;
    }

    private static bool IsTorchSharp(MethodBase m) => m.DeclaringType?.Assembly == TorchSharpAssembly;

    private static bool ReturnsScalar(MethodBase m) => m is MethodInfo info && info.ReturnType == typeof(Scalar);

    private static bool MakesScalar(MethodBase m, int depth)
    {
        if (ReturnsScalar(m)) return true;
        if (Memo.TryGetValue((m, depth), out bool known)) return known;
        var calls = Calls(m);
        bool makes = calls.Any(ReturnsScalar)
                     || (depth < Depth && calls.Any(c => IsTorchSharp(c) && MakesScalar(c, depth + 1)));
        Memo[(m, depth)] = makes;
        return makes;
    }

    /// <summary>The methods the IL of <paramref name="m"/> calls, creates with new or takes a pointer to.</summary>
    private static List<MethodBase> Calls(MethodBase m)
    {
        var result = new List<MethodBase>();
        byte[]? il;
        try { il = m.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or BadImageFormatException) { il = null; }
        if (il is null) return result;
        var typeArguments = m.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = m.IsGenericMethod ? m.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var op = OpCodesByValue[value];
            i += op.Size;
            if (op.OperandType == OperandType.InlineMethod)
            {
                // A TorchSharp method may name what does not load here; a Models method may not (nothing of it goes unread).
                try { result.Add(m.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArguments, methodArguments)!); }
                catch (Exception) when (IsTorchSharp(m)) { }
            }
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
        return result;
    }

    private static string Name(MethodBase m) =>
        $"{m.DeclaringType!.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";
}
