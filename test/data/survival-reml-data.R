# Writes the small datasets used by the survival, REML and Hedges' g tests (pilot-eval issue 6).
# Run from the repo root: Rscript test/data/survival-reml-data.R
# R 4, survival 3.5.3, lme4 1.1.31. Reference values are computed in the tests' comments from these files.
library(survival)

# survival::veteran (Veterans' Administration lung cancer trial, Kalbfleisch & Prentice 1980):
# trt 1 = standard, 2 = test chemotherapy, randomised.
write.csv(veteran, "test/data/veteran.csv", row.names = FALSE)

# Survival with heavy ties: whole-week times, administrative censoring at 52 weeks.
set.seed(20240601)
n <- 90
arm <- rep(0:1, length.out = n)
x1 <- round(rnorm(n, 30, 8), 1)
x2 <- rbinom(n, 1, 0.4)
t_event <- ceiling(rexp(n, 0.03 * exp(-0.5 * arm + 0.02 * (x1 - 30) + 0.4 * x2)))
t_cens <- ifelse(runif(n) < 0.2, sample(5:52, n, replace = TRUE), 52)
time <- pmin(t_event, t_cens)
status <- as.integer(t_event <= t_cens)
write.csv(data.frame(arm, x1, x2, time, status), "test/data/surv-ties.csv", row.names = FALSE)

# Cluster trial, continuous outcome: 24 teams of 5-40, arm by team, one pupil-level covariate.
set.seed(7)
J <- 24
m <- sample(5:40, J, replace = TRUE)
team <- rep(seq_len(J), m)
arm <- rep(rep(0:1, length.out = J), m)
x <- round(rnorm(sum(m), 50, 10), 1)
u <- rep(rnorm(J, 0, 2), m)
y <- round(10 + 1.5 * arm + 0.3 * x + u + rnorm(sum(m), 0, 5), 2)
write.csv(data.frame(team, arm, x, y), "test/data/reml-cluster.csv", row.names = FALSE)

# Near-zero between-team variance (lmer reports a singular fit for y ~ arm + (1 | team)).
set.seed(2)
J <- 12
m <- sample(4:15, J, replace = TRUE)
team <- rep(seq_len(J), m)
arm <- rep(rep(0:1, length.out = J), m)
y <- round(5 + 0.5 * arm + rnorm(sum(m), 0, 3), 2)
write.csv(data.frame(team, arm, y), "test/data/reml-singular.csv", row.names = FALSE)

# 0/1 outcome (re-offended), 20 teams: the ICC of docs/methods.md.
set.seed(3)
J <- 20
m <- sample(10:60, J, replace = TRUE)
team <- rep(seq_len(J), m)
arm <- rep(rep(0:1, length.out = J), m)
age <- sample(18:60, sum(m), replace = TRUE)
p <- plogis(-0.4 - 0.3 * arm - 0.02 * (age - 35) + rep(rnorm(J, 0, 0.5), m))
reoffended <- rbinom(sum(m), 1, p)
write.csv(data.frame(team, arm, age, reoffended), "test/data/reml-binary.csv", row.names = FALSE)

# Individually randomised continuous outcome with a baseline score, unequal arms.
set.seed(99)
arm <- c(rep(0, 38), rep(1, 45))
pre <- round(rnorm(83, 100, 15), 1)
post <- round(20 + 0.7 * pre + 4 * arm + rnorm(83, 0, 9), 1)
write.csv(data.frame(arm, pre, post), "test/data/hedges-individual.csv", row.names = FALSE)
