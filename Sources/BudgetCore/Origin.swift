/// Whether a row comes from a published document or from budgetq's generator.
public enum Origin: String, Sendable, CaseIterable, Codable { case published, synthetic }
