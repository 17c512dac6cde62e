// Names of the methods a node speaks (KrpcSchema.Default), for the writer, logs and metrics. Kept apart from
// the tables it reads (KrpcCoreMethods, NamedValueMessages), so that no two types' static initialisers wait
// on each other when threads first touch them at once.
namespace Dht.Protocol.Krpc;

/// <summary>Wire and display names of <see cref="KrpcMethod"/> values.</summary>
internal static class KrpcMethods
{
    /// <summary>The wire name of a method of <see cref="KrpcSchema.Default"/>.</summary>
    public static ReadOnlySpan<byte> NameOf(KrpcMethod method) => KrpcSchema.Default.NameOf(method);

    /// <summary>The method of <see cref="KrpcSchema.Default"/> a wire name stands for, or <see cref="KrpcMethod.Unknown"/>.</summary>
    public static KrpcMethod Parse(ReadOnlySpan<byte> name) => KrpcSchema.Default.ParseMethod(name);

    /// <summary>The methods of <see cref="KrpcSchema.Default"/>: the core's and the named-value extension's.</summary>
    public static KrpcMethod[] All => [.. KrpcSchema.Default.Methods.Select(m => m.Method)];

    /// <summary>A display name for logs and metrics.</summary>
    public static string DisplayName(KrpcMethod method) => KrpcSchema.Default.Describe(method)?.Name ?? "unknown";
}
