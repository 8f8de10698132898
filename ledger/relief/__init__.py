"""Relief: item catalogue, double handouts, donor and program totals with suppression."""
