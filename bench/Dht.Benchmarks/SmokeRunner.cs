// --smoke: calls every [Benchmark] method of the assembly directly, after its [GlobalSetup], to prove in CI
// that the benchmarks build and run. Nothing is timed. Each method runs twice and the second call's
// allocated bytes are printed (the first call may pay for one-time initialisation), which catches a
// zero-allocation path starting to allocate without waiting for a full benchmark run.
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Dht.Benchmarks;

/// <summary>Runs each benchmark method without BenchmarkDotNet.</summary>
internal static class SmokeRunner
{
    /// <summary>Returns the process exit code: 0 when every benchmark ran, 1 otherwise.</summary>
    public static int Run(Assembly assembly, TextWriter output)
    {
        int ran = 0, failed = 0;
        var types = assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && Methods<BenchmarkAttribute>(t).Any())
            .OrderBy(t => t.Name, StringComparer.Ordinal);
        foreach (var type in types)
        {
            object instance;
            try
            {
                instance = Activator.CreateInstance(type)!;
                Invoke<GlobalSetupAttribute>(instance);
            }
            catch (Exception e)
            {
                output.WriteLine($"FAIL {type.Name} setup: {Unwrap(e)}");
                failed++;
                continue;
            }

            foreach (var method in Methods<BenchmarkAttribute>(type))
            {
                try
                {
                    Invoke<IterationSetupAttribute>(instance);
                    var (result, allocated) = Call(instance, method);
                    Invoke<IterationCleanupAttribute>(instance);
                    output.WriteLine($"ok   {type.Name}.{method.Name} = {result} ({allocated} B allocated)");
                    ran++;
                }
                catch (Exception e)
                {
                    output.WriteLine($"FAIL {type.Name}.{method.Name}: {Unwrap(e)}");
                    failed++;
                }
            }

            try
            {
                Invoke<GlobalCleanupAttribute>(instance);
            }
            catch (Exception e)
            {
                output.WriteLine($"FAIL {type.Name} cleanup: {Unwrap(e)}");
                failed++;
            }
        }

        output.WriteLine($"{ran} benchmark methods ran, {failed} failed.");
        return failed == 0 && ran > 0 ? 0 : 1;
    }

    private static IEnumerable<MethodInfo> Methods<TAttribute>(Type type)
        where TAttribute : Attribute =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<TAttribute>() is not null && m.GetParameters().Length == 0)
            .OrderBy(m => m.MetadataToken);

    private static void Invoke<TAttribute>(object instance)
        where TAttribute : Attribute
    {
        foreach (var method in Methods<TAttribute>(instance.GetType()))
        {
            method.Invoke(instance, null);
        }
    }

    private static (object? Result, long Allocated) Call(object instance, MethodInfo method)
    {
        if (method.ReturnType == typeof(void))
        {
            var action = method.CreateDelegate<Action>(instance);
            return (null, Measure(() =>
            {
                action();
                return 0;
            }).Allocated);
        }

        // A typed delegate keeps value-type results unboxed, so the count is the method's own allocation.
        var func = method.CreateDelegate(typeof(Func<>).MakeGenericType(method.ReturnType), instance);
        var measure = typeof(SmokeRunner).GetMethod(nameof(Measure), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.ReturnType);
        var (value, allocated) = ((object?, long))measure.Invoke(null, [func])!;
        return (value, allocated);
    }

    private static (object? Result, long Allocated) Measure<T>(Func<T> benchmark)
    {
        benchmark();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = benchmark();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (result, allocated);
    }

    private static string Unwrap(Exception e) =>
        (e is TargetInvocationException { InnerException: { } inner } ? inner : e).ToString();
}
