using System.Reflection;
using Microsoft.ML;

namespace Ml.Relaxation.Tests.Conformance;

/// <summary>Builds the <see cref="SchemaShape"/> of a <see cref="DataViewSchema"/>, as estimators receive it in a pipeline.</summary>
public static class Shapes
{
    // SchemaShape.Create(DataViewSchema) is internal to ML.NET; test code may reach it by reflection.
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod(
        "Create", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public, [typeof(DataViewSchema)])
        ?? throw new MissingMethodException(nameof(SchemaShape), "Create(DataViewSchema)");

    /// <summary>The shape ML.NET's own <c>SchemaShape.Create</c> gives <paramref name="schema"/>.</summary>
    public static SchemaShape Of(DataViewSchema schema) => (SchemaShape)Create.Invoke(null, [schema])!;
}
