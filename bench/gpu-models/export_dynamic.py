"""Models with symbolic dims for the dynamic-shapes speed figures of issue 17 (GPU machine):
torchvision ResNet-50 with a dynamic batch and Hugging Face BertModel (BERT-base config, seeded
random weights) with dynamic batch and sequence, both through torch.onnx.export's dynamic_axes.
Writes OUT/resnet50_dyn/model.onnx and OUT/bert_base_dyn/model.onnx (with onnxruntime outputs at
the traced shape in test_data_set_0)."""
import os, sys, torch
sys.argv = [sys.argv[0], sys.argv[1]]
import export_models as em

def resnet():
    import torchvision
    torch.manual_seed(1)
    m = torchvision.models.resnet50(weights=None)
    em.export('resnet50_dyn', m, (torch.randn(2, 3, 224, 224),), ['input'], ['logits'],
              dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})

def bert():
    from transformers import BertConfig, BertModel
    torch.manual_seed(7)
    m = BertModel(BertConfig(attn_implementation='eager'))
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, a, b, t): return s.m(input_ids=a, attention_mask=b, token_type_ids=t).last_hidden_state
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(1000, 30000, (2, 128), generator=g)
    axes = {n: {0: 'batch', 1: 'sequence'} for n in ['input_ids', 'attention_mask', 'token_type_ids', 'last_hidden_state']}
    em.export('bert_base_dyn', W(), (ids, torch.ones_like(ids), torch.zeros_like(ids)), ['input_ids', 'attention_mask', 'token_type_ids'],
              ['last_hidden_state'], dynamic_axes=axes)

for name, fn in [('resnet50_dyn', resnet), ('bert_base_dyn', bert)]:
    if name in os.environ.get('EXPORT_MODELS', name).split():
        em.attempt(name, fn)
