namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>The held-out comparison of the joint subset search (with k): the head alone, fitted on each half of random splits, measured on the other half.</summary>
/// <param name="TopScores">Mean held-out task loss on the k slots of highest score.</param>
/// <param name="JointSubset">The same on the k slots the Concrete selector fits picked most.</param>
public sealed record JointSubsetLosses(double TopScores, double JointSubset)
{
    /// <summary>Whether the joint subset is kept: its loss is strictly lower.</summary>
    public bool SubsetWins => JointSubset < TopScores;
}
