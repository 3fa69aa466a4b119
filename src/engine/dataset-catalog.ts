/**
 * A small, documented table of popular public datasets with their row counts per split, so a
 * config that trains on one of them gets a step count without downloading anything. Every number
 * says where it comes from; docs/datasets.md lists the table. A dataset not listed stays unknown.
 */

export interface PublicDataset {
  /** Rows per split. */
  splits: Record<string, number>;
  /** Where the numbers come from. */
  source: string;
}

export const PUBLIC_DATASETS: Record<string, PublicDataset> = {
  'tatsu-lab/alpaca': {
    splits: { train: 52_002 },
    source: 'the dataset viewer (train: 52,002 rows; Stanford Alpaca\'s alpaca_data.json)',
  },
  'yahma/alpaca-cleaned': {
    splits: { train: 51_760 },
    source: 'the dataset viewer (train: 51,760 rows; litgpt\'s Alpaca module splits it with val_split_fraction 0.03865 "to get exactly 2000 validation samples")',
  },
  'mhenrichsen/alpaca_2k_test': {
    splits: { train: 2_000 },
    source: 'the dataset viewer (train: 2,000 rows; litgpt\'s Alpaca2k module splits it with val_split_fraction 0.05 "to get exactly 100 validation samples")',
  },
  'databricks/databricks-dolly-15k': {
    splits: { train: 15_011 },
    source: 'the dataset viewer (train: 15,011 rows)',
  },
  'HuggingFaceH4/ultrachat_200k': {
    splits: { train_sft: 207_865, test_sft: 23_110, train_gen: 256_032, test_gen: 28_304 },
    source: 'the dataset card\'s dataset_info (num_examples per split)',
  },
};

/** Rows of `id`'s `split`, with the source, when the table has them. */
export function publicDatasetRows(id: string, split = 'train'): { rows: number; source: string } | undefined {
  const entry = Object.hasOwn(PUBLIC_DATASETS, id) ? PUBLIC_DATASETS[id] : undefined;
  if (!entry || !Object.hasOwn(entry.splits, split)) return undefined;
  return { rows: entry.splits[split], source: entry.source };
}
