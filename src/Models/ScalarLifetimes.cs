using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models;

/// <summary>
/// TorchSharp operations whose numbers are held until libtorch has read them. TorchSharp turns a number (and the
/// alpha of x + y, the 2 of square(), arange's start and step) into a temporary Scalar that nothing keeps once its
/// handle is read; a GC on another thread can then finalize it (~Scalar frees the native scalar) while libtorch
/// reads it: a use-after-free ("toFloat at c10/core/Scalar.h"). Here each Scalar is a using local instead, of the
/// type TorchSharp's own conversion made (results are bit-identical); Models code creates Scalars nowhere else.
/// </summary>
internal static class ScalarLifetimes
{
    /// <summary>x + y (TorchSharp's alpha 1, an int).</summary>
    public static Tensor Plus(this Tensor x, Tensor y)
    {
        using Scalar one = 1;
        return x.add(y, one);
    }

    /// <summary>x + y.</summary>
    public static Tensor Plus(this Tensor x, double y)
    {
        using Scalar s = y, one = 1;
        return x.add(s, one);
    }

    /// <summary>x - y.</summary>
    public static Tensor Minus(this Tensor x, double y)
    {
        using Scalar s = y;
        return x.sub(s);
    }

    /// <summary>x * y.</summary>
    public static Tensor Times(this Tensor x, double y)
    {
        using Scalar s = y;
        return x.mul(s);
    }

    /// <summary>x * y.</summary>
    public static Tensor Times(this Tensor x, int y)
    {
        using Scalar s = y;
        return x.mul(s);
    }

    /// <summary>x / y.</summary>
    public static Tensor DividedBy(this Tensor x, double y)
    {
        using Scalar s = y;
        return x.div(s);
    }

    /// <summary>x / y.</summary>
    public static Tensor DividedBy(this Tensor x, int y)
    {
        using Scalar s = y;
        return x.div(s);
    }

    /// <summary>x / y.</summary>
    public static Tensor DividedBy(this Tensor x, long y)
    {
        using Scalar s = y;
        return x.div(s);
    }

    /// <summary>x², what square() computes: pow with the int 2.</summary>
    public static Tensor Squared(this Tensor x)
    {
        using Scalar two = 2;
        return x.pow(two);
    }

    /// <summary>x mod y (remainder).</summary>
    public static Tensor Remainder(this Tensor x, int y)
    {
        using Scalar s = y;
        return x.remainder(s);
    }

    /// <summary>clamp_min(min).</summary>
    public static Tensor ClampMin(this Tensor x, int min)
    {
        using Scalar s = min;
        return x.clamp_min(s);
    }

    /// <summary>clamp_min(min).</summary>
    public static Tensor ClampMin(this Tensor x, double min)
    {
        using Scalar s = min;
        return x.clamp_min(s);
    }

    /// <summary>x == y.</summary>
    public static Tensor EqualTo(this Tensor x, int y)
    {
        using Scalar s = y;
        return x.eq(s);
    }

    /// <summary>x &lt; y.</summary>
    public static Tensor LessThan(this Tensor x, double y)
    {
        using Scalar s = y;
        return x.lt(s);
    }

    /// <summary>x &gt; y.</summary>
    public static Tensor GreaterThan(this Tensor x, int y)
    {
        using Scalar s = y;
        return x.gt(s);
    }

    /// <summary>x &gt;= y.</summary>
    public static Tensor AtLeast(this Tensor x, int y)
    {
        using Scalar s = y;
        return x.ge(s);
    }

    /// <summary>In place: x += y (alpha 1, an int).</summary>
    public static Tensor Add_(this Tensor x, Tensor y)
    {
        using Scalar one = 1;
        return x.add_(y, one);
    }

    /// <summary>In place: x += alpha y.</summary>
    public static Tensor Add_(this Tensor x, Tensor y, double alpha)
    {
        using Scalar s = alpha;
        return x.add_(y, s);
    }

    /// <summary>In place: x += y (alpha 1, an int).</summary>
    public static Tensor Add_(this Tensor x, int y)
    {
        using Scalar s = y, one = 1;
        return x.add_(s, one);
    }

    /// <summary>In place: x *= y.</summary>
    public static Tensor Mul_(this Tensor x, double y)
    {
        using Scalar s = y;
        return x.mul_(s);
    }

    /// <summary>In place: every element of x set to value.</summary>
    public static Tensor Fill_(this Tensor x, int value)
    {
        using Scalar s = value;
        return x.fill_(s);
    }

    /// <summary>In place: x set to value where mask is true.</summary>
    public static Tensor MaskedFill_(this Tensor x, Tensor mask, int value)
    {
        using Scalar s = value;
        return x.masked_fill_(mask, s);
    }

    /// <summary>In place: the entries index along dim set to value.</summary>
    public static Tensor IndexFill_(this Tensor x, long dim, Tensor index, int value)
    {
        using Scalar s = value;
        return x.index_fill_(dim, index, s);
    }

    /// <summary>In place: the entries index along dim set to value.</summary>
    public static Tensor IndexFill_(this Tensor x, long dim, Tensor index, double value)
    {
        using Scalar s = value;
        return x.index_fill_(dim, index, s);
    }

    /// <summary>In place: alpha source added at index along dim.</summary>
    public static Tensor IndexAdd_(this Tensor x, long dim, Tensor index, Tensor source, int alpha)
    {
        using Scalar s = alpha;
        return x.index_add_(dim, index, source, s);
    }

    /// <summary>0, 1, .., stop - 1 (as torch.arange(stop): int start 0 and step 1).</summary>
    public static Tensor Arange(int stop, ScalarType? dtype = null, Device? device = null)
    {
        using Scalar start = 0, end = stop, step = 1;
        return arange(start, end, step, dtype, device);
    }

    /// <summary>0, 1, .., stop - 1 (as torch.arange(stop): int start 0 and step 1).</summary>
    public static Tensor Arange(long stop, ScalarType? dtype = null, Device? device = null)
    {
        using Scalar start = 0, end = stop, step = 1;
        return arange(start, end, step, dtype, device);
    }

    /// <summary>A [size] tensor of value.</summary>
    public static Tensor Full(long size, long value, ScalarType dtype)
    {
        using Scalar s = value;
        return full(size, s, dtype: dtype);
    }
}
