from runplane import Pipeline, Stub

pipeline = Pipeline([Stub("load"), Stub("load")])
