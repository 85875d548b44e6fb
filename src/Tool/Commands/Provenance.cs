using System.CommandLine;
using System.Text.Json.Nodes;

namespace VqVae.Codec.Tool.Commands;

/// <summary>The record of how a model was made, stored in its file: the exact command and the machine.</summary>
internal static class Provenance
{
    public static JsonObject Of(string command, ParseResult p, int images) => new()
    {
        ["command"] = "vqz " + string.Join(' ', p.Tokens.Select(t => Quote(t.Value))),
        ["images"] = images,
        ["started"] = DateTime.UtcNow.ToString("O"),
        ["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
        ["task"] = command,
    };

    private static string Quote(string token) => token.Contains(' ') ? $"\"{token}\"" : token;
}
