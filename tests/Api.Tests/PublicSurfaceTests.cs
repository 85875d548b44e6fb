using System.Reflection;

namespace VqVae.Codec.Api.Tests;

/// <summary>What a C# caller of the front door sees: these types, and no F# type in their signatures.</summary>
public sealed class PublicSurfaceTests
{
    private static readonly Assembly Api = typeof(VqzCodec).Assembly;

    [Fact]
    public void The_public_types_are_the_front_door()
    {
        var names = Api.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal<string>(
            ["VqVae.Codec.VqzCodec", "VqVae.Codec.VqzCodecOptions", "VqVae.Codec.VqzDevice", "VqVae.Codec.VqzEncoded", "VqVae.Codec.VqzGridChecksum", "VqVae.Codec.VqzImage",
             "VqVae.Codec.VqzModelNames", "VqVae.Codec.VqzQuality"],
            names);
    }

    [Fact]
    public void No_FSharp_type_appears_in_a_public_signature()
    {
        static IEnumerable<Type> Expand(Type t) =>
            t.HasElementType ? Expand(t.GetElementType()!)
            : t.IsGenericType ? t.GetGenericArguments().SelectMany(Expand).Prepend(t.GetGenericTypeDefinition())
            : [t];

        const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var seen = new List<(string Member, Type Type)>();
        foreach (var type in Api.GetExportedTypes())
        {
            foreach (var m in type.GetMethods(Public))
                foreach (var t in m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType).SelectMany(Expand))
                    seen.Add(($"{type.Name}.{m.Name}", t));
            foreach (var c in type.GetConstructors(Public))
                foreach (var t in c.GetParameters().Select(p => p.ParameterType).SelectMany(Expand))
                    seen.Add(($"{type.Name}..ctor", t));
            foreach (var p in type.GetProperties(Public))
                foreach (var t in Expand(p.PropertyType))
                    seen.Add(($"{type.Name}.{p.Name}", t));
        }

        Assert.Contains(seen, s => s.Member == "VqzCodec.Compress");   // the walk saw the methods
        var fsharp = seen.Where(s => s.Type.Namespace?.StartsWith("Microsoft.FSharp", StringComparison.Ordinal) == true
                                     || s.Type.Assembly.GetName().Name == "FSharp.Core").Select(s => $"{s.Member}: {s.Type}").ToArray();
        Assert.Empty(fsharp);
    }
}
