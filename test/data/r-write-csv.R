# Writes test/data/r-write-csv.csv: a cases file as R's write.csv writes it (quoted text, a
# row-name column with an empty header, NA for missing numbers, dates and text).
# Run from the repository root: Rscript test/data/r-write-csv.R
d <- data.frame(
  id = c("P01", "P02", "P03", "P04", "P05", "P06"),
  arm = c("control", "treatment", NA, "treatment", "control", "treatment"),
  start_date = as.Date(c("2023-01-05", NA, "2023-02-10", "2023-03-01", "2023-03-15", "2023-04-02")),
  age = c(23.5, NA, 41, 35, NA, 29),
  ogrs3 = c(0.207, 0.45, NA, 0.6, 0.33, NA),
  reoffended = c(1L, 0L, NA, 1L, 0L, 1L),
  stringsAsFactors = FALSE
)
write.csv(d, "test/data/r-write-csv.csv")
# What read.csv makes of it (the test checks pilot-eval reads the same cells as missing):
r <- read.csv("test/data/r-write-csv.csv")
print(colSums(is.na(r)))
print(mean(r$age, na.rm = TRUE))
print(mean(r$ogrs3, na.rm = TRUE))
