# Reference data and values for the more-than-two-arms analysis (src/core/analysis/multi-arm.test.ts):
# the global test of each outcome across k arms, and pairwise (arm vs control) rows.
# Run from the repository root: Rscript test/data/make-multi-arm-references.R
# (R 4.2.2, MASS 7.3.58.2, survival 3.5.3, sandwich 3.0.2, lmtest 0.9.40, jsonlite 1.8.4)
# Writes test/data/multiarm-*.csv (R's own data sets recoded into pilot-eval's column names) and
# test/data/multi-arm-references.json.
suppressMessages({library(MASS); library(survival); library(sandwich); library(lmtest); library(jsonlite)})
dir <- "test/data"
out <- list()
rec <- function(key, call, statistic, df, p_value, extra = list()) {
  cat(key, ":", statistic, df, p_value, "\n")
  out[[key]] <<- c(list(call = call, statistic = unname(statistic), df = unname(df), p_value = unname(p_value)), extra)
}

# 1. MASS::bacteria: infection (y) by trt (placebo / drug / drug+), repeated visits clustered by child (ID).
b <- data.frame(id = seq_len(nrow(bacteria)), team = as.character(bacteria$ID), arm = as.character(bacteria$trt),
                reoffended = as.integer(bacteria$y == "y"))
write.csv(b, file.path(dir, "multiarm-bacteria.csv"), row.names = FALSE)
b <- read.csv(file.path(dir, "multiarm-bacteria.csv"))
b$arm <- factor(b$arm, levels = c("placebo", "drug", "drug+"))
ct <- chisq.test(table(b$arm, b$reoffended), correct = FALSE)
rec("bacteria_chisq", "chisq.test(table(arm, reoffended), correct = FALSE)", ct$statistic, ct$parameter, ct$p.value)
fit <- glm(reoffended ~ arm, binomial, data = b)
fit0 <- glm(reoffended ~ 1, binomial, data = b)
wt <- waldtest(fit0, fit, vcov = vcovCL(fit, cluster = ~team), test = "Chisq")
rec("bacteria_wald_cl", "lmtest::waldtest(glm(reoffended ~ 1, binomial), fit <- glm(reoffended ~ arm, binomial), vcov = sandwich::vcovCL(fit, cluster = ~team), test = \"Chisq\")",
    wt$Chisq[2], wt$Df[2], wt[2, "Pr(>Chisq)"])
# pairwise: drug vs placebo, risk difference and odds ratio on the pair alone
pb <- droplevels(subset(b, arm %in% c("placebo", "drug")))
pt <- prop.test(table(factor(pb$arm, levels = c("drug", "placebo")), factor(pb$reoffended, levels = c(1, 0))), correct = FALSE)
rd <- unname(pt$estimate[1] - pt$estimate[2])
of <- glm(reoffended ~ arm, binomial, data = pb)
out$bacteria_drug_vs_placebo <- list(call = "glm(reoffended ~ arm, binomial, subset = arm %in% c('placebo','drug')); prop.test(...)$estimate difference",
  risk_difference = rd, odds_ratio = unname(exp(coef(of)["armdrug"])))
cat("bacteria pair:", rd, exp(coef(of)["armdrug"]), "\n")

# 2. survival::veteran: time to death by cell type (four groups; squamous, R's first level, as control).
v <- data.frame(id = seq_len(nrow(veteran)), arm = as.character(veteran$celltype), reoffended = veteran$status,
                days_to_reoffence = ifelse(veteran$status == 1, veteran$time, NA), follow_up_days = veteran$time)
write.csv(v, file.path(dir, "multiarm-veteran.csv"), row.names = FALSE, na = "")
v <- read.csv(file.path(dir, "multiarm-veteran.csv"))
v$arm <- factor(v$arm, levels = c("squamous", "smallcell", "adeno", "large"))
sd <- survdiff(Surv(follow_up_days, reoffended) ~ arm, data = v)
rec("veteran_logrank", "survdiff(Surv(follow_up_days, reoffended) ~ arm)", sd$chisq, length(sd$n) - 1, pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))
ct <- chisq.test(table(v$arm, v$reoffended), correct = FALSE)
rec("veteran_chisq", "chisq.test(table(arm, reoffended), correct = FALSE)", ct$statistic, ct$parameter, ct$p.value)
pv <- droplevels(subset(v, arm %in% c("squamous", "adeno")))
cx <- coxph(Surv(follow_up_days, reoffended) ~ arm, data = pv)
out$veteran_adeno_vs_squamous <- list(call = "coxph(Surv(follow_up_days, reoffended) ~ arm, subset = arm %in% c('squamous','adeno'))",
  hazard_ratio = unname(exp(coef(cx))), std_error = unname(sqrt(diag(vcov(cx)))))
cat("veteran pair:", exp(coef(cx)), "\n")

# 3. PlantGrowth: dried weight by group (ctrl / trt1 / trt2), one-way ANOVA.
p <- data.frame(id = seq_len(nrow(PlantGrowth)), arm = as.character(PlantGrowth$group), weight = PlantGrowth$weight)
write.csv(p, file.path(dir, "multiarm-plantgrowth.csv"), row.names = FALSE)
p <- read.csv(file.path(dir, "multiarm-plantgrowth.csv"))
p$arm <- factor(p$arm, levels = c("ctrl", "trt1", "trt2"))
a <- anova(lm(weight ~ arm, data = p))
rec("plantgrowth_anova", "anova(lm(weight ~ arm))", a[1, "F value"], a[1, "Df"], a[1, "Pr(>F)"], list(df_residual = a[2, "Df"]))
tt <- t.test(weight ~ arm, data = droplevels(subset(p, arm %in% c("ctrl", "trt2"))), var.equal = TRUE)
out$plantgrowth_trt2_vs_ctrl <- list(call = "t.test(weight ~ arm, var.equal = TRUE, subset = arm %in% c('ctrl','trt2')) (= the arm coefficient of lm)",
  mean_difference = unname(tt$estimate[2] - tt$estimate[1]), p_value = tt$p.value)
cat("plant pair:", tt$estimate[2] - tt$estimate[1], tt$p.value, "\n")

# 4. InsectSprays: insect counts by spray (A..F; A as control), Poisson likelihood-ratio test of spray.
s <- data.frame(id = seq_len(nrow(InsectSprays)), arm = as.character(InsectSprays$spray), reoffences = InsectSprays$count)
write.csv(s, file.path(dir, "multiarm-insectsprays.csv"), row.names = FALSE)
s <- read.csv(file.path(dir, "multiarm-insectsprays.csv"))
s$arm <- factor(s$arm)
an <- anova(glm(reoffences ~ arm, poisson, data = s), test = "LRT")
rec("insectsprays_lrt", "anova(glm(reoffences ~ arm, poisson), test = \"LRT\")", an[2, "Deviance"], an[2, "Df"], an[2, "Pr(>Chi)"])
pg <- glm(reoffences ~ arm, poisson, data = droplevels(subset(s, arm %in% c("A", "C"))))
out$insectsprays_C_vs_A <- list(call = "glm(reoffences ~ arm, poisson, subset = arm %in% c('A','C'))",
  rate_ratio = unname(exp(coef(pg)["armC"])))
cat("insect pair:", exp(coef(pg)["armC"]), "\n")

# 5. The pcp fixture (cluster-randomised by team) with its treatment teams split into two arms
#    (alternate teams in sorted order: treatment_a, treatment_b), so clustered binary, count and time
#    outcomes have three arms. The outcomes were derived by pilot-eval itself:
#      node bin/pilot-eval reoffending --cases fixtures/pcp/cases.csv --offences fixtures/pcp/offences.csv --out /tmp/pcp-out.csv
#    (the people analysed: measurable, not withdrawn); the trimmed file is committed.
if (file.exists("/tmp/pcp-out.csv")) {
  o <- read.csv("/tmp/pcp-out.csv", colClasses = c(reoffended = "character", withdrawn = "character"))
  o <- o[o$measurable == "yes" & o$reoffended != "" & o$withdrawn != "yes", ]
  teams <- sort(unique(o$team[o$arm == "treatment"]))
  tr <- o$arm == "treatment"
  o$arm[tr] <- ifelse(match(o$team[tr], teams) %% 2 == 1, "treatment_a", "treatment_b")
  write.csv(data.frame(id = o$id, team = o$team, arm = o$arm, reoffended = as.integer(o$reoffended), reoffences = o$reoffences,
                       days_to_reoffence = o$days_to_reoffence, follow_up_days = o$follow_up_days, ogrs3 = o$ogrs3),
            file.path(dir, "multiarm-pcp.csv"), row.names = FALSE, na = "")
}
d <- read.csv(file.path(dir, "multiarm-pcp.csv"))
d$arm <- factor(d$arm, levels = c("control", "treatment_a", "treatment_b"))
d$time <- ifelse(d$reoffended == 1 & !is.na(d$days_to_reoffence), d$days_to_reoffence, d$follow_up_days)
fc <- glm(reoffences ~ arm, poisson, data = d)
wt <- waldtest(glm(reoffences ~ 1, poisson, data = d), fc, vcov = vcovCL(fc, cluster = ~team), test = "Chisq")
rec("pcp_count_wald_cl", "lmtest::waldtest(glm(reoffences ~ 1, poisson), fit <- glm(reoffences ~ arm, poisson), vcov = sandwich::vcovCL(fit, cluster = ~team), test = \"Chisq\")",
    wt$Chisq[2], wt$Df[2], wt[2, "Pr(>Chisq)"])
fb <- glm(reoffended ~ arm, binomial, data = d)
wt <- waldtest(glm(reoffended ~ 1, binomial, data = d), fb, vcov = vcovCL(fb, cluster = ~team), test = "Chisq")
rec("pcp_binary_wald_cl", "lmtest::waldtest(glm(reoffended ~ 1, binomial), fit <- glm(reoffended ~ arm, binomial), vcov = sandwich::vcovCL(fit, cluster = ~team), test = \"Chisq\")",
    wt$Chisq[2], wt$Df[2], wt[2, "Pr(>Chisq)"])
an <- anova(fc, test = "LRT")
rec("pcp_count_lrt", "anova(glm(reoffences ~ arm, poisson), test = \"LRT\")", an[2, "Deviance"], an[2, "Df"], an[2, "Pr(>Chi)"])
cx <- coxph(Surv(time, reoffended) ~ arm, data = d, cluster = team)
rs <- summary(cx)$robscore
rec("pcp_time_robscore", "summary(coxph(Surv(time, reoffended) ~ arm, cluster = team))$robscore", rs[["test"]], rs[["df"]], rs[["pvalue"]])
fl <- lm(ogrs3 ~ arm, data = d)
wt <- waldtest(lm(ogrs3 ~ 1, data = d), fl, vcov = vcovCL(fl, cluster = ~team), test = "Chisq")
rec("pcp_ogrs3_wald_cl", "lmtest::waldtest(lm(ogrs3 ~ 1), fit <- lm(ogrs3 ~ arm), vcov = sandwich::vcovCL(fit, cluster = ~team), test = \"Chisq\") (ogrs3 as a continuous test outcome)",
    wt$Chisq[2], wt$Df[2], wt[2, "Pr(>Chisq)"])
sd <- survdiff(Surv(time, reoffended) ~ arm, data = d)
rec("pcp_time_logrank", "survdiff(Surv(time, reoffended) ~ arm)", sd$chisq, 2, pchisq(sd$chisq, 2, lower.tail = FALSE))

# 6. The pcp-fund fixture (concept 2: the fund arm split into told / not told about the budget, column
#    sub_arm; individually randomised within teams), outcomes derived by pilot-eval itself:
#      node bin/pilot-eval reoffending --cases fixtures/pcp-fund/cases.csv --offences fixtures/pcp-fund/offences.csv --out /tmp/pcp-fund-out.csv
#    arms: control, told, not_told (sub_arm where filled, else arm).
if (file.exists("/tmp/pcp-fund-out.csv")) {
  o <- read.csv("/tmp/pcp-fund-out.csv", colClasses = c(reoffended = "character", withdrawn = "character", sub_arm = "character"))
  o <- o[o$measurable == "yes" & o$reoffended != "" & o$withdrawn != "yes", ]
  write.csv(data.frame(id = o$id, team = o$team, arm = ifelse(o$sub_arm != "", o$sub_arm, o$arm), reoffended = as.integer(o$reoffended),
                       reoffences = o$reoffences, days_to_reoffence = o$days_to_reoffence, follow_up_days = o$follow_up_days),
            file.path(dir, "multiarm-pcp-fund.csv"), row.names = FALSE, na = "")
}
f <- read.csv(file.path(dir, "multiarm-pcp-fund.csv"))
f$arm <- factor(f$arm, levels = c("control", "not_told", "told"))
f$time <- ifelse(f$reoffended == 1 & !is.na(f$days_to_reoffence), f$days_to_reoffence, f$follow_up_days)
ct <- chisq.test(table(f$arm, f$reoffended), correct = FALSE)
rec("fund_chisq", "chisq.test(table(arm, reoffended), correct = FALSE)", ct$statistic, ct$parameter, ct$p.value)
an <- anova(glm(reoffences ~ arm, poisson, data = f), test = "LRT")
rec("fund_lrt", "anova(glm(reoffences ~ arm, poisson), test = \"LRT\")", an[2, "Deviance"], an[2, "Df"], an[2, "Pr(>Chi)"])
sd <- survdiff(Surv(time, reoffended) ~ arm, data = f)
rec("fund_logrank", "survdiff(Surv(time, reoffended) ~ arm)", sd$chisq, 2, pchisq(sd$chisq, 2, lower.tail = FALSE))
pt <- prop.test(table(factor(f$arm, levels = c("told", "control"))[f$arm != "not_told"], factor(f$reoffended, levels = c(1, 0))[f$arm != "not_told"]), correct = FALSE)
out$fund_told_vs_control <- list(call = "prop.test(table(arm, reoffended), correct = FALSE) on arm %in% c('told', 'control'): difference of proportions",
  risk_difference = unname(pt$estimate[1] - pt$estimate[2]))
cat("fund told vs control rd:", pt$estimate[1] - pt$estimate[2], "\n")

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(dir, "multi-arm-references.json"))
